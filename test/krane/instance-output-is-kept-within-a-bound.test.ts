import { BoundedLog } from '../../src/krane/drivers/bounded-log';

describe('the output kept per instance', () => {
  it('keeps everything while under the limit', () => {
    const log = new BoundedLog(16);
    log.append(Buffer.from('hello '));
    log.append(Buffer.from('world'));
    expect(log.text()).toBe('hello world');
  });

  it('keeps only the most recent bytes once over it', () => {
    const log = new BoundedLog(10);
    log.append(Buffer.from('0123456'));
    log.append(Buffer.from('789ab'));
    expect(log.text()).toBe('23456789ab');
    log.append(Buffer.from('cdefghijklmnop'));
    expect(log.text()).toBe('ghijklmnop');
    log.append(Buffer.from('q'));
    expect(log.text()).toBe('hijklmnopq');
  });
});
