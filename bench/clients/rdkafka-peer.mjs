// Loads the librdkafka binding, @confluentinc/kafka-javascript, for the runners that use it. It lives
// in its own package dir (bench/peers-rdkafka) so a failed native build never touches the other
// peers; when it is not built the runner fails saying how to build it.
import { createRequire } from 'node:module';
import { fail } from './runner-kit.mjs';

/** The binding's module, or a failed runner (exit 2) naming setup.sh. */
export function loadRdkafka() {
  const peer = createRequire(new URL('../peers-rdkafka/package.json', import.meta.url));
  try {
    return peer('@confluentinc/kafka-javascript');
  } catch (error) {
    return fail(`@confluentinc/kafka-javascript is not built (run bench/peers-rdkafka/setup.sh): ${error.message}`);
  }
}
