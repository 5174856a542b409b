// Preload for child processes (`node --import`): opening any socket or resolving any name ends the process with exit
// code 99, which no vouch command uses, so a test tells "touched the network" apart from every other outcome.
import dgram from 'node:dgram';
import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import tls from 'node:tls';

// Nothing is exported: importing this file traps the importing process (a test reads the code as a literal).
const NETWORK_EXIT_CODE = 99;

function refuse(api: string): never {
  process.stderr.write(`no-network: ${api} was called\n`);
  // Exit rather than throw: a thrown error could be caught and reported as an ordinary failure.
  process.exit(NETWORK_EXIT_CODE);
}

function trap(target: object, names: readonly string[], label: string): void {
  for (const name of names) {
    Object.defineProperty(target, name, {
      configurable: true,
      writable: true,
      value: () => refuse(`${label}${name}`),
    });
  }
}

/** The lookup and resolve functions of a dns module or resolver (all of them, whatever this Node version has). */
function nameFunctions(target: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = target; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const name of Object.getOwnPropertyNames(o))
      if (/^(lookup|resolve|reverse)/.test(name)) names.add(name);
  }
  return [...names];
}

// Every TCP, TLS and IPC connection ends in Socket#connect, including those of http, https, http2 and agents that
// captured net.createConnection before this ran.
trap(net.Socket.prototype, ['connect'], 'net.Socket#');
trap(net, ['connect', 'createConnection'], 'net.');
trap(tls, ['connect'], 'tls.');
trap(dgram, ['createSocket'], 'dgram.');
trap(dns, nameFunctions(dns), 'dns.');
trap(dns.promises, nameFunctions(dns.promises), 'dns.promises.');
trap(dns.Resolver.prototype, nameFunctions(dns.Resolver.prototype), 'dns.Resolver#');
trap(
  dns.promises.Resolver.prototype,
  nameFunctions(dns.promises.Resolver.prototype),
  'dns.promises.Resolver#',
);
trap(globalThis, ['fetch', 'WebSocket', 'EventSource'], 'globalThis.');
// ES modules that import these by name (`import { connect } from 'node:net'`) see the traps too.
syncBuiltinESMExports();
