-- The mobile numbers physicians confirmed for the mTAN procedure of the Arztportal
-- (Registrierung zum mTAN-Verfahren), one per physician (HÄVG-ID and LANR) and practice. The
-- registration process writes a number once its SMS code was entered; the document downloads
-- send their mTANs only to the number here. A later confirmation replaces it; an older one,
-- retried, never does.

create table mtan_numbers (
  practice_id  text not null,
  haevg_id     text not null,
  lanr         text not null,
  mobile       text not null,
  process_id   text not null,
  confirmed_at timestamptz not null,
  primary key (practice_id, haevg_id, lanr)
);
