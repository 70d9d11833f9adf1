// `kus key deactivate`: stop signing with a key and shipping it (it stays trusted for its signatures).
import { keyActivationCommand } from '../key-activation.js';

export const command = keyActivationCommand(false);
