/**
 * Process events live, for every page of this tab over one EventSource: opened with a one-use
 * stream token (EventSource cannot send the API key, and the key never goes into a URL), and
 * opened again with a new token, from the last event seen, when it breaks.
 */
import { useEffect, useRef, useState } from 'react';
import { api, type ProcessEvent } from './api.js';

/** An event, or `gap`: events were deleted unseen, so anything shown may be stale. */
type LiveEvent = ProcessEvent | 'gap';
type Listener = (event: LiveEvent) => void;

const EVENT_TYPES = [
  'process.started',
  'process.transitioned',
  'process.ended',
  'process.incident',
  'message.failed',
] as const;

const listeners = new Set<Listener>();
const liveness = new Set<(live: boolean) => void>();
let source: EventSource | undefined;
let lastEventId: string | undefined;
let retryMs = 3_000;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let live = false;

function setLive(value: boolean): void {
  if (live === value) return;
  live = value;
  for (const notify of liveness) notify(value);
}

function dispatch(message: MessageEvent<string>): void {
  if (message.lastEventId) lastEventId = message.lastEventId;
  const event = JSON.parse(message.data) as ProcessEvent;
  for (const listener of listeners) listener(event);
}

async function connect(): Promise<void> {
  retryTimer = undefined;
  if (listeners.size === 0 || source) return;
  let token: string;
  try {
    ({ token } = await api<{ token: string }>('/events/stream-tokens', { method: 'POST' }));
  } catch {
    return reconnectLater();
  }
  if (listeners.size === 0 || source) return;
  const query = new URLSearchParams({ token });
  if (lastEventId) query.set('lastEventId', lastEventId);
  const opened = new EventSource(`/api/v1/events/stream?${query}`);
  source = opened;
  opened.onopen = () => {
    retryMs = 3_000;
    setLive(true);
  };
  for (const type of EVENT_TYPES) opened.addEventListener(type, dispatch);
  // Events were deleted before they were seen: whatever shows may be stale; reload it all.
  opened.addEventListener('gap', (message) => {
    if (message.lastEventId) lastEventId = message.lastEventId;
    for (const listener of listeners) listener('gap');
  });
  // The token is used up: EventSource's own reconnect would be refused, so a new one is fetched.
  opened.onerror = () => {
    opened.close();
    if (source === opened) source = undefined;
    setLive(false);
    reconnectLater();
  };
}

function reconnectLater(): void {
  if (retryTimer || listeners.size === 0) return;
  retryTimer = setTimeout(() => void connect(), retryMs);
  retryMs = Math.min(retryMs * 2, 60_000);
}

function subscribe(listener: Listener, onLive: (live: boolean) => void): () => void {
  listeners.add(listener);
  liveness.add(onLive);
  onLive(live);
  void connect();
  return () => {
    listeners.delete(listener);
    liveness.delete(onLive);
    if (listeners.size > 0) return;
    source?.close();
    source = undefined;
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = undefined;
    setLive(false);
  };
}

/**
 * Calls `onEvent` for each process event (at most once a second for a burst, with the events
 * of that second) and answers whether the stream is live: while it is, pages poll only slowly.
 */
export function useProcessEvents(onEvent: (events: readonly LiveEvent[]) => void): boolean {
  const [isLive, setIsLive] = useState(live);
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    let batch: LiveEvent[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = subscribe((event) => {
      batch.push(event);
      timer ??= setTimeout(() => {
        const events = batch;
        batch = [];
        timer = undefined;
        handler.current(events);
      }, 1_000);
    }, setIsLive);
    return () => {
      if (timer) clearTimeout(timer);
      unsubscribe();
    };
  }, []);
  return isLive;
}
