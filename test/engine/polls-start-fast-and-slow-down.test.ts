import { pollDelay } from '../../processors/poll-instances';

describe('poll-instances delay', () => {
  it.each([
    [1, 1000, 100],
    [2, 1000, 200],
    [3, 1000, 400],
    [4, 1000, 800],
    [5, 1000, 1000],
    [50, 1000, 1000],
    [1, 50, 50],
    [3, 5000, 400],
    [8, 5000, 5000],
  ])('after poll %i with an interval of %i ms waits %i ms', (polls, interval, expected) => {
    expect(pollDelay(polls, interval)).toBe(expected);
  });
});
