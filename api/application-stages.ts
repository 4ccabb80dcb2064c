/**
 * What the applicant reads under the status label (the "blaue Kasten" of the card issuer's
 * Statusabruf, seed 003): the explanation of each of the five regular stages, in the issuer's
 * words, and a short one for the other outcomes. Keyed by the German state label the read
 * model holds.
 */
export const STAGE_EXPLANATIONS: Readonly<Record<string, readonly string[]>> = {
  'Antrag in Bearbeitung': [
    'Ihr Antrag ist noch nicht abgeschlossen.',
    'Bitte vervollständigen Sie den Antrag. Achten Sie auf eventuelle Fehlermeldungen und Hinweise.',
    'Wenn Ihre Angaben vollständig und korrekt sind, betätigen Sie bitte auf der letzten ' +
      'Antragsseite den Button „Jetzt verbindlich beantragen“.',
    'Drucken Sie den Antrag aus und unterschreiben Sie ihn an den gekennzeichneten Stellen.',
    'Senden Sie uns die Unterlagen per Post zu. Nutzen Sie das Adressblatt, das den ' +
      'ausgedruckten Unterlagen beiliegt.',
  ],
  'Bearbeitung beendet': [
    'Sie haben die Bearbeitung Ihres Kartenantrags abgeschlossen.',
    'Der ausgedruckte Antrag sollte sich auf dem Postweg zu uns befinden.',
    'Wir warten auf den Eingang des unterschriebenen Antrags und – sofern erforderlich – Ihre ' +
      'Identifikationsunterlagen (diese werden beim POSTIDENT-Verfahren elektronisch an uns ' +
      'übermittelt).',
    'Ist die unterschriebene Ausfertigung Ihres Antrags 21 Tage nach der Beendigung der ' +
      'Antragsbearbeitung noch nicht bei uns eingegangen, werden Sie automatisch per E-Mail ' +
      'daran erinnert, den Antrag ggf. erneut auszudrucken, zu unterschreiben und an uns zu ' +
      'senden. Bitte prüfen Sie daher regelmäßig Ihr E-Mail-Postfach und auch Ihren Spam-Ordner.',
  ],
  'Eingang Antragsunterlagen': [
    'Wir haben den Eingang Ihrer Antragsunterlagen registriert.',
    'Ihr Antrag befindet sich nun in Prüfung. Sollten sich bei der Überprüfung Ihres ' +
      'Kartenantrags Fragen oder Auffälligkeiten ergeben, werden Sie per E-Mail kontaktiert. ' +
      'Bitte prüfen Sie daher regelmäßig Ihr E-Mail-Postfach und auch Ihren Spam-Ordner.',
  ],
  'Zur Freigabe': [
    'Ihr Antrag wurde von uns geprüft und befindet sich nun zur Freigabe bei Ihrer Kammer.',
  ],
  Freigegeben: [
    'Ihr Antrag wurde durch Ihre Kammer freigegeben und wird nach einer erneuten Prüfung an die ' +
      'Produktion übergeben.',
    'Über die Fertigstellung und den Versand Ihrer Karte werden Sie per E-Mail informiert. ' +
      'Bitte prüfen Sie daher regelmäßig Ihr E-Mail-Postfach und auch Ihren Spam-Ordner.',
  ],
  'Nachreichung angefordert': [
    'Ihr Antrag kann nicht weiter bearbeitet werden, weil Unterlagen fehlen oder nicht ' +
      'ausreichen (z. B. die Meldebescheinigung oder ein Lichtbild, dessen Qualität nicht ' +
      'ausreicht). Was fehlt, haben wir Ihnen per E-Mail mitgeteilt.',
    'Bitte reichen Sie die Unterlagen auf dem Postweg nach.',
  ],
  Abgelehnt: [
    'Ihr Antrag wurde abgelehnt; die Gründe haben wir Ihnen per E-Mail mitgeteilt. Wenn Sie ' +
      'weiterhin eine Karte benötigen, stellen Sie bitte einen neuen Antrag.',
  ],
};
