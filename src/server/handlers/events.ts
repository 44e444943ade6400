/**
 * `events_listen` (long poll) and `ping`.
 * @module
 */
import type { EventsListenRep, EventsListenReq, OkRep, PingReq } from '../../transport/commands.js';
import { MAX_EVENTS_PER_REPLY, MAX_EVENTS_WAIT_MS } from '../../transport/limits.js';
import type { DeviceContext } from '../context.js';
import type { Audience } from '../events.js';

/** Whether the requesting user may see events of `audience` (checked when read, not when published). */
function visibleTo(ctx: DeviceContext): (audience: Audience) => boolean {
  return (audience) => {
    switch (audience.scope) {
      case 'all':
        return true;
      case 'realm-participants':
        return ctx.org.participants.get(audience.realmId)?.has(ctx.userId) ?? false;
      case 'realm-members':
        return ctx.store.getRealmRole(audience.realmId, ctx.userId) !== null;
      case 'user':
        return audience.userId === ctx.userId;
    }
  };
}

/** `events_listen`: events after `after` visible to the caller, waiting up to `waitMs` (bounded). */
export async function eventsListen(ctx: DeviceContext, req: EventsListenReq): Promise<EventsListenRep> {
  const wait = Math.min(req.waitMs, MAX_EVENTS_WAIT_MS);
  const { last, events } = await ctx.org.events.listen(req.after, visibleTo(ctx), MAX_EVENTS_PER_REPLY, wait, ctx.config.shutdown);
  return { status: 'ok', last, events };
}

/** `ping`: checks connectivity and authentication. */
export async function ping(_ctx: DeviceContext, _req: PingReq): Promise<OkRep> {
  return { status: 'ok' };
}
