import { startOnFreePort } from '../../src/services/free-port';

/**
 * Between picking a free port and binding it, another process can take the port (an outgoing connection's local port,
 * another process's own probe). A server whose port was picked for it then starts on another one; a port the caller
 * gave is kept (a restarted server must come back where its clients expect it).
 */
describe('a server whose picked port is taken before it binds', () => {
  it('is started again on another picked port, up to three tries, and only for a taken port', async () => {
    const tried: number[] = [];
    const port = await startOnFreePort(undefined, async (p) => {
      tried.push(p);
      if (tried.length === 1) throw new Error(`did not start\nFATAL: could not bind: Address already in use`);
      return p;
    });
    expect(tried).toHaveLength(2);
    expect(port).toBe(tried[1]);

    const always = jest.fn(async () => {
      throw new Error('Address already in use');
    });
    await expect(startOnFreePort(undefined, always)).rejects.toThrow('Address already in use');
    expect(always).toHaveBeenCalledTimes(3);

    const other = jest.fn(async () => {
      throw new Error('initdb failed');
    });
    await expect(startOnFreePort(undefined, other)).rejects.toThrow('initdb failed');
    expect(other).toHaveBeenCalledTimes(1);
  });

  it('keeps a port the caller gave, and does not move it when it is taken', async () => {
    const start = jest.fn(async (p: number) => {
      if (p === 43_210) throw new Error('Address already in use');
      return p;
    });
    await expect(startOnFreePort(43_210, start)).rejects.toThrow('Address already in use');
    expect(start.mock.calls).toEqual([[43_210]]);
  });
});
