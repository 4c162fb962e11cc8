import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

/**
 * No Docker engine runs here, so docker-compose.yml is checked by reading: its Mongo healthcheck
 * script is run against a stand-in shell (`rs`, `db`, `quit`) for each replica-set state, and the app
 * services must restart on their own.
 */
const compose = fs.readFileSync(path.resolve(__dirname, '../../../docker-compose.yml'), 'utf8');

/** The block of one top-level service: from `  <name>:` to the next service or section. */
function service(name: string): string {
  const match = new RegExp(`^  ${name}:\\n((?:    .*\\n|\\s*\\n)*)`, 'm').exec(compose);
  if (!match) throw new Error(`docker-compose.yml has no service ${name}`);
  return match[1]!;
}

function mongoHealthcheckScript(): string {
  const match = /'--eval',\s*\n\s*"([^"]+)"/.exec(service('mongo'));
  if (!match) throw new Error("the mongo healthcheck has no mongosh '--eval' script");
  return match[1]!;
}

/** Runs the healthcheck in a stand-in mongosh; returns its exit code and whether it initiated. */
function runHealthcheck(state: 'uninitialized' | 'electing' | 'primary'): {
  exit: number;
  initiated: boolean;
} {
  let initiated = false;
  let exit = 0; // mongosh exits 0 when the script does not say otherwise
  const shell = {
    rs: {
      status() {
        if (state === 'uninitialized') throw new Error('no replset config has been received');
        return { ok: 1 };
      },
      initiate() {
        initiated = true;
        return { ok: 1 };
      },
    },
    db: { hello: () => ({ isWritablePrimary: state === 'primary' }) },
    quit(code = 0) {
      exit = code;
      throw new Error('quit');
    },
  };
  try {
    vm.runInNewContext(mongoHealthcheckScript(), shell);
  } catch (err) {
    if ((err as Error).message !== 'quit') throw err;
  }
  return { exit, initiated };
}

describe('docker-compose.yml', () => {
  it('calls MongoDB healthy only once it is a writable primary, initiating the replica set first', () => {
    expect(runHealthcheck('uninitialized')).toEqual({ exit: 1, initiated: true }); // just initiated
    expect(runHealthcheck('electing')).toEqual({ exit: 1, initiated: false });
    expect(runHealthcheck('primary')).toEqual({ exit: 0, initiated: false });
  });

  it('restarts the gateway and the worker unless stopped, after the stores are healthy', () => {
    for (const name of ['gateway', 'worker']) {
      const block = service(name);
      expect(block).toMatch(/^ {4}restart: unless-stopped$/m);
      expect(block).toMatch(/mongo: \{ condition: service_healthy \}/);
      expect(block).toMatch(/redis: \{ condition: service_healthy \}/);
    }
  });

  it('scales gateways behind the load balancer: no published gateway port, readiness-gated routing', () => {
    const gateway = service('gateway');
    // `--scale gateway=N` would collide on a published port; only `lb` publishes one.
    expect(gateway).not.toMatch(/^ {4}ports:/m);
    expect(gateway).toMatch(/\/readyz/);
    expect(service('lb')).toMatch(/^ {4}ports: \['4000:4000'\]$/m);
    expect(service('lb')).toMatch(/gateway: \{ condition: service_healthy \}/);
    const haproxy = fs.readFileSync(path.resolve(__dirname, '../../../deploy/haproxy.cfg'), 'utf8');
    expect(haproxy).toMatch(/^ {2}option httpchk GET \/readyz$/m);
    expect(haproxy).toMatch(/^ {2}server-template gateway \d+-\d+ gateway:4000$/m);
  });

  it('lets a gateway drain for longer than the balancer takes to mark it down', () => {
    const gateway = service('gateway');
    const delay = Number(/DRAIN_DELAY_MS: '(\d+)'/.exec(gateway)?.[1]);
    const timeout = Number(/SHUTDOWN_TIMEOUT_MS: '(\d+)'/.exec(gateway)?.[1]);
    const grace = Number(/stop_grace_period: (\d+)s/.exec(gateway)?.[1]) * 1000;
    const haproxy = fs.readFileSync(path.resolve(__dirname, '../../../deploy/haproxy.cfg'), 'utf8');
    const [, inter, fall] = /inter (\d+)s fall (\d+)/.exec(haproxy) ?? [];
    expect(delay).toBeGreaterThan(Number(inter) * 1000 * Number(fall));
    expect(timeout).toBeGreaterThan(delay);
    // Docker's SIGKILL must not come before the process's own shutdown timeout.
    expect(grace).toBeGreaterThan(timeout);
  });
});
