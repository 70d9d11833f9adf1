// `kus key activate`: sign new releases with a key and ship it to clusters again.
import { keyActivationCommand } from '../key-activation.js';

export const command = keyActivationCommand(true);
