import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * Write a file so readers never see half of it, even if errspec is killed mid-write: write a sibling
 * temp file, flush it to disk, then rename it over the target (atomic on one file system).
 */
export function writeFileAtomic(file: string, content: string): void {
  writeFileAtomicWith(file, (fd) => {
    const bytes = Buffer.from(content, 'utf8');
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset);
  });
}

/** The same, for a writer that fills the open file itself (a streamed report copying its parts in). */
export function writeFileAtomicWith(file: string, write: (fd: number) => void): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    const fd = openSync(temp, 'w');
    try {
      write(fd);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
