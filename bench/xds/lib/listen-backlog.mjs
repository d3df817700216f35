// @ts-check
// An experiment, not the product: preloaded into an xds shard (`node --import`) by
// `npm run bench:xds -- --shard-backlog=N`, it makes every server socket the process opens listen
// with a backlog of N instead of Node's default 511 (which @grpc/grpc-js uses: its bindAsync has
// no backlog option). The kernel caps it at net.core.somaxconn. It shows how much of a reconnect
// storm's duration is connection attempts dropped by a full accept queue.
import net from 'node:net';

const backlog = Number(process.env['BENCH_LISTEN_BACKLOG']);
if (Number.isInteger(backlog) && backlog > 0) {
  const listen = net.Server.prototype.listen;
  /** @type {any} */ (net.Server.prototype).listen = function (/** @type {any[]} */ ...args) {
    if (args[0] && typeof args[0] === 'object' && !('backlog' in args[0])) args[0] = { ...args[0], backlog };
    return listen.apply(this, /** @type {any} */ (args));
  };
}
