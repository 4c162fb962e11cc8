// One-file zip archives (PKWARE APPNOTE 4.3: local header, data, central directory, end record), the
// container some vendors' bulk APIs speak both ways (a vendor's docs/vendors/<crm>.md says which).
// Shared by sandboxes and connectors; vendor-neutral.
import zlib from 'node:zlib';

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
const DEFLATE = 8;
const STORED = 0;

/** Why an archive was refused: not a zip we read, not exactly one file, or more bytes than allowed. */
export class ZipError extends Error {
  constructor(
    readonly reason: 'invalid' | 'not_one_file' | 'too_large',
    message: string,
  ) {
    super(message);
    this.name = 'ZipError';
  }
}

/** `content` deflated into a zip holding the one file `name`. */
export function zipOne(name: string, content: Buffer): Buffer {
  const fileName = Buffer.from(name, 'utf8');
  const data = zlib.deflateRawSync(content);
  const crc = zlib.crc32(content);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(LOCAL, 0);
  local.writeUInt16LE(20, 4); // version needed
  local.writeUInt16LE(0x0800, 6); // UTF-8 names
  local.writeUInt16LE(DEFLATE, 8);
  local.writeUInt32LE(0, 10); // time, date
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(content.length, 22);
  local.writeUInt16LE(fileName.length, 26);
  local.writeUInt16LE(0, 28);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(CENTRAL, 0);
  central.writeUInt16LE(20, 4); // version made by
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0x0800, 8);
  central.writeUInt16LE(DEFLATE, 10);
  central.writeUInt32LE(0, 12);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  // extra, comment, disk, attributes: zero; local header offset 0.
  const centralStart = local.length + fileName.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + fileName.length, 12);
  end.writeUInt32LE(centralStart, 16);
  return Buffer.concat([local, fileName, data, central, fileName, end]);
}

/** The end-of-central-directory record: within the last 22 + 65,535 (comment) bytes. */
function endRecord(zip: Buffer): number {
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--)
    if (zip.readUInt32LE(at) === END) return at;
  throw new ZipError('invalid', 'not a zip archive (no end of central directory)');
}

/**
 * The one file of a zip from any writer, read through its central directory (sizes there are right
 * even when the local header defers them to a data descriptor). Refuses an archive of another number
 * of files, and one whose file inflates past `maxBytes` — checked while inflating, so a zip bomb's
 * declared size cannot talk its way past the cap.
 */
export function unzipOne(zip: Buffer, maxBytes: number): { name: string; content: Buffer } {
  if (zip.length < 22) throw new ZipError('invalid', 'not a zip archive');
  const end = endRecord(zip);
  const entries = zip.readUInt16LE(end + 10);
  if (entries !== 1) throw new ZipError('not_one_file', `the archive holds ${entries} files, not one`);
  const dir = zip.readUInt32LE(end + 16);
  if (dir + 46 > zip.length || zip.readUInt32LE(dir) !== CENTRAL)
    throw new ZipError('invalid', 'broken central directory');
  const method = zip.readUInt16LE(dir + 10);
  const crc = zip.readUInt32LE(dir + 16);
  const packed = zip.readUInt32LE(dir + 20);
  const size = zip.readUInt32LE(dir + 24);
  const nameLength = zip.readUInt16LE(dir + 28);
  const name = zip.subarray(dir + 46, dir + 46 + nameLength).toString('utf8');
  const offset = zip.readUInt32LE(dir + 42);
  if (offset + 30 > zip.length || zip.readUInt32LE(offset) !== LOCAL)
    throw new ZipError('invalid', 'broken local header');
  const start = offset + 30 + zip.readUInt16LE(offset + 26) + zip.readUInt16LE(offset + 28);
  if (start + packed > zip.length) throw new ZipError('invalid', 'truncated archive');
  if (size > maxBytes) throw new ZipError('too_large', `the file inflates to ${size} bytes`);
  const raw = zip.subarray(start, start + packed);
  let content: Buffer;
  if (method === STORED) content = Buffer.from(raw);
  else if (method === DEFLATE) {
    try {
      content = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, maxBytes) });
    } catch (err) {
      if (err instanceof RangeError || (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
        throw new ZipError('too_large', `the file inflates past ${maxBytes} bytes`);
      throw new ZipError('invalid', 'the file does not inflate');
    }
  } else throw new ZipError('invalid', `compression method ${method} is not read`);
  if (content.length !== size || zlib.crc32(content) !== crc)
    throw new ZipError('invalid', 'the file does not match its size or checksum');
  return { name, content };
}
