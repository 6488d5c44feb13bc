/**
 * The owner of a PGlite directory serves it to other processes over the PostgreSQL wire protocol
 * (@electric-sql/pglite-socket's connection handler), on the socket that is also its lock (./ownership.ts).
 *
 * PGlite is one backend session. The owner's own queries and every client's go through one lock — the
 * PGlite connection lock of ./client.ts — held from a client's first message until the end of its
 * transaction (a Sync or simple Query answered outside a transaction block). So a client's transaction is never
 * interleaved with the owner's or another client's, and a client that disconnects mid-transaction is rolled
 * back before anyone else runs.
 */
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler, type PGLiteSocketHandlerOptions } from '@electric-sql/pglite-socket';
import type { Server, Socket } from 'node:net';

/** The single-connection lock the owner's in-process pool also takes. */
export interface ConnectionLock {
  acquire(): Promise<() => void>;
}

const QUERY = 0x51; // 'Q'
const SYNC = 0x53; // 'S'
const TERMINATE = 0x58; // 'X'

/** Implements the queue interface PGLiteSocketHandler calls, on top of the owner's connection lock. */
class LockedQueue {
  private holder: { id: number; release: () => void } | null = null;
  private readonly closed = new Set<number>();
  private readonly chains = new Map<number, Promise<unknown>>();

  constructor(
    private readonly pglite: PGlite,
    private readonly lock: ConnectionLock,
  ) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (d: Uint8Array) => void): Promise<number> {
    const run = async (): Promise<number> => {
      if (this.closed.has(handlerId)) throw new Error('client disconnected');
      if (this.holder?.id !== handlerId) this.holder = { id: handlerId, release: await this.lock.acquire() };
      let bytes = 0;
      try {
        await this.pglite.runExclusive(() =>
          this.pglite.execProtocolRawStream(message, {
            onRawData: (d) => {
              bytes += d.length;
              onData(d);
            },
          }),
        );
      } catch (e) {
        this.free(handlerId);
        throw e;
      }
      const type = message[0];
      const boundary = type === QUERY || type === SYNC || type === TERMINATE || type === 0; // 0: startup
      if (boundary && !this.pglite.isInTransaction()) this.free(handlerId);
      return bytes;
    };
    const prev = this.chains.get(handlerId) ?? Promise.resolve();
    const p = prev.then(run, run);
    this.chains.set(
      handlerId,
      p.catch(() => undefined),
    );
    return p;
  }

  private free(handlerId: number) {
    if (this.holder?.id !== handlerId) return;
    const { release } = this.holder;
    this.holder = null;
    release();
  }

  clearQueueForHandler(handlerId: number): void {
    this.closed.add(handlerId);
  }

  /** The client went away: wait for what it had in flight, roll back its open transaction, let others run. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    this.closed.add(handlerId);
    await this.chains.get(handlerId);
    this.chains.delete(handlerId);
    if (this.holder?.id === handlerId) {
      try {
        if (this.pglite.isInTransaction()) await this.pglite.exec('ROLLBACK');
      } finally {
        this.free(handlerId);
      }
    }
  }

  getQueueLength(): number {
    return 0;
  }
}

/** Serve the owner's PGlite on its (already listening) lock socket; returns a stop function. */
export function servePGliteOn(server: Server, pglite: PGlite, lock: ConnectionLock): () => Promise<void> {
  const queue = new LockedQueue(pglite, lock);
  const handlers = new Set<PGLiteSocketHandler>();
  const onConnection = (socket: Socket) => {
    const handler = new PGLiteSocketHandler({
      // the handler only calls enqueue / clearQueueForHandler / clearTransactionIfNeeded
      queryQueue: queue as unknown as PGLiteSocketHandlerOptions['queryQueue'],
      closeOnDetach: true,
    });
    handlers.add(handler);
    socket.once('close', () => handlers.delete(handler));
    void handler.attach(socket);
  };
  server.on('connection', onConnection);
  return async () => {
    server.off('connection', onConnection);
    await Promise.all([...handlers].map((h) => h.detach(true)));
    handlers.clear();
  };
}
