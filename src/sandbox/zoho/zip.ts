// A one-file zip archive (docs/vendors/zoho.md "Bulk Read and Bulk Write": results come as a zip
// holding one CSV): local header, deflated data, central directory, end record (PKWARE APPNOTE 4.3).
import zlib from 'node:zlib';

export function zipOne(name: string, content: Buffer): Buffer {
  const fileName = Buffer.from(name, 'utf8');
  const data = zlib.deflateRawSync(content);
  const crc = zlib.crc32(content);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed
  local.writeUInt16LE(0x0800, 6); // UTF-8 names
  local.writeUInt16LE(8, 8); // deflate
  local.writeUInt32LE(0, 10); // time, date
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(content.length, 22);
  local.writeUInt16LE(fileName.length, 26);
  local.writeUInt16LE(0, 28);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4); // version made by
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(0x0800, 8);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(0, 12);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  // extra, comment, disk, attributes: zero; local header offset 0.
  const centralStart = local.length + fileName.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + fileName.length, 12);
  end.writeUInt32LE(centralStart, 16);
  return Buffer.concat([local, fileName, data, central, fileName, end]);
}

/** The one file of a zip `zipOne` wrote (tests read results back with it). */
export function unzipOne(zip: Buffer): { name: string; content: Buffer } {
  if (zip.readUInt32LE(0) !== 0x04034b50) throw new Error('not a zip archive');
  const size = zip.readUInt32LE(18);
  const nameLength = zip.readUInt16LE(26);
  const extra = zip.readUInt16LE(28);
  const name = zip.subarray(30, 30 + nameLength).toString('utf8');
  const start = 30 + nameLength + extra;
  const method = zip.readUInt16LE(8);
  const raw = zip.subarray(start, start + size);
  return { name, content: method === 8 ? zlib.inflateRawSync(raw) : raw };
}
