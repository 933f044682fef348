import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLoginThrottle } from './login-throttle.js';

test('login throttle: 5 failures lock the name until the oldest leaves the window; the address after 20; success clears the name', () => {
  const th = createLoginThrottle({ maxPerUser: 5, maxPerAddress: 20, windowS: 300 });
  for (let i = 0; i < 5; i++) {
    assert.equal(th.retryAfter('op', '10.0.0.1', 1000 + i), 0);
    th.failed('op', '10.0.0.1', 1000 + i);
  }
  assert.equal(th.retryAfter('op', '10.0.0.1', 1010), 290, 'until the first failure (t=1000) is 300 s old');
  assert.equal(th.retryAfter('op', '10.0.0.9', 1010), 290, 'from any address');
  assert.equal(th.retryAfter('view', '10.0.0.2', 1010), 0, 'another name from another address');
  assert.equal(th.retryAfter('op', '10.0.0.1', 1299), 1, 'one second before the first failure leaves the window');
  assert.equal(th.retryAfter('op', '10.0.0.1', 1300), 0, 'it left: 4 in the window, one more try');
  // one address guessing many names
  for (let i = 0; i < 20; i++) th.failed(`u${i}`, '10.0.0.3', 2000);
  assert.ok(th.retryAfter('fresh', '10.0.0.3', 2001) > 0, 'the address is locked for every name');
  assert.equal(th.retryAfter('fresh', '10.0.0.4', 2001), 0);
  th.failed('kim', '10.0.0.5', 3000);
  th.succeeded('kim');
  for (let i = 0; i < 4; i++) th.failed('kim', '10.0.0.5', 3001);
  assert.equal(th.retryAfter('kim', '10.0.0.5', 3002), 0, 'the success cleared the earlier failure');
  const small = createLoginThrottle({ maxPerUser: 1, maxPerAddress: 1, windowS: 60, maxKeys: 10 });
  for (let i = 0; i < 100; i++) small.failed(`x${i}`, `a${i}`, 0);
  assert.ok(small.size <= 10, `bounded memory: ${small.size} keys`);
});

test('login throttle: an IPv6 host guessing from many addresses of its /64 is one address; its neighbour /64 is not locked', () => {
  const th = createLoginThrottle({ maxPerUser: 100, maxPerAddress: 20, windowS: 300 });
  for (let i = 0; i < 20; i++) th.failed(`u${i}`, `2001:db8:5:6::${(i + 1).toString(16)}`, 1000);
  assert.ok(th.retryAfter('fresh', '2001:db8:5:6:1234:5678:9abc:def0', 1001) > 0, 'a new address of the same /64 is locked');
  assert.equal(th.retryAfter('fresh', '2001:db8:5:7::1', 1001), 0, 'the next /64 is not');
  // a success takes its attempt back from the host's count
  th.succeeded('u19', '2001:db8:5:6::14', 1000);
  assert.equal(th.retryAfter('fresh', '2001:db8:5:6::99', 1001), 0);
});
