import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readFileChecked, readFileText } from '../../../../src/core/persistence/diskText';

describe('persistence: reading a file from disk', () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aip-disktext-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, data: string | Buffer) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, data);
    return file;
  };

  it('reads UTF-8 text and drops a byte order mark', () => {
    assert.strictEqual(readFileText(write('a.ts', '\ufeffconst a = 1;\n'), undefined), 'const a = 1;\n');
  });

  it('says why a file is not read: absent, a folder, binary, not UTF-8, too large', () => {
    assert.deepStrictEqual(readFileChecked(path.join(dir, 'none.ts'), undefined), { absent: true });
    assert.deepStrictEqual(readFileChecked(dir, undefined), { skipped: 'not a regular file' });
    assert.deepStrictEqual(readFileChecked(write('b.bin', Buffer.from([0x61, 0, 0x62])), undefined), { skipped: 'a binary file' });
    assert.deepStrictEqual(readFileChecked(write('c.txt', Buffer.from([0x61, 0xc3, 0x28])), undefined), { skipped: 'not valid UTF-8' });
    assert.deepStrictEqual(readFileChecked(write('d.txt', 'x'.repeat(2 * 1024 * 1024)), 1), { skipped: 'larger than aiProvenance.maxFileSizeMB' });
  });
});
