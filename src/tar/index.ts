// Public surface of src/tar: the one tar module (tar-stream underneath) for image layers and KUS's own archives.
export { scanTar, cleanTarPath, type TarEntry, type TarVisitor, type ScanOptions } from './scan.js';
export { readTar, writeTar, MAX_TAR_ENTRY_BYTES, type TarFile } from './archive.js';
export { packTar, type PackEntry } from './pack.js';
