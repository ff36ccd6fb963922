/**
 * One fake broker's listener: a TCP server on 127.0.0.1 that splits the byte stream into request
 * frames and answers them in arrival order, one at a time per connection, as a Kafka broker does
 * (a long-polling Fetch delays the requests behind it on its connection). What an answer says is
 * decided by the `answer` function; this file only moves bytes.
 */
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { FrameDecoder } from '../network/frame-decoder.js';

/** How a request is answered: response bytes (size prefix included), nothing at all, or the connection closed. */
export type Answer = Buffer | 'none' | 'close';

/** A client connection as the answering side sees it. */
export interface ClientConnection {
  /** Unique within the process, so within a cluster too. */
  readonly id: number;
  readonly clientHost: string;
  /** The request frames received on it and not yet answered, oldest (the one being answered) first. */
  readonly waiting: readonly Buffer[];
}

/** Answers one request frame (size prefix removed) that came on `connection`. */
export type AnswerRequest = (frame: Buffer, connection: ClientConnection) => Promise<Answer>;

let nextConnectionId = 1;

/** A listening broker socket that can be taken down and brought back on the same port. */
export class BrokerServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private boundPort = 0;

  constructor(
    private readonly host: string,
    private readonly maxRequestBytes: number,
    private readonly answer: AnswerRequest,
  ) {}

  /** The port it listens on (kept while down, so a restart reuses it). */
  get port(): number {
    return this.boundPort;
  }

  /** Listens on `port` (0: any free port). */
  async listen(port: number): Promise<void> {
    const server = createServer((socket) => this.accept(socket));
    server.listen(port, this.host);
    await once(server, 'listening');
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
  }

  /** Closes every connection and stops listening: connecting is refused until {@link listen}. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (!server?.listening) return;
    const closed = once(server, 'close');
    server.close();
    await closed;
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy()); // a client that vanishes is not the broker's failure
    const waiting: Buffer[] = [];
    const connection: ClientConnection = { id: nextConnectionId++, clientHost: socket.remoteAddress ?? '127.0.0.1', waiting };
    // A request larger than socket.request.max.bytes closes the connection, as a broker does.
    const decoder = new FrameDecoder({ maxFrameBytes: this.maxRequestBytes });
    let queue: Promise<void> = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      try {
        decoder.push(chunk);
        for (let frame = decoder.next(); frame; frame = decoder.next()) {
          const request = frame;
          waiting.push(request);
          queue = queue.then(() => this.reply(socket, request, connection)).finally(() => waiting.shift());
        }
      } catch {
        socket.destroy();
      }
    });
  }

  private async reply(socket: Socket, frame: Buffer, connection: ClientConnection): Promise<void> {
    if (socket.destroyed) return;
    let answer: Answer;
    try {
      answer = await this.answer(frame, connection);
    } catch {
      answer = 'close'; // a request the broker cannot parse ends the connection
    }
    if (socket.destroyed) return;
    if (answer === 'close') {
      socket.destroy();
      return;
    }
    if (answer === 'none') return;
    await new Promise<void>((resolve) => socket.write(answer, () => resolve()));
  }
}
