#!/usr/bin/env python3
"""Independent scene generator for Skywarden interchange v1 (not derived from packages/sim).

Written on 2026-12-06 by an evaluator who read only the interchange spec and issue 13's text, not
the project's simulator (packages/sim): its scenes test what our simulator does not think of.
Keep it that way: do not tune it towards the simulator, and do not tune the tracker to it alone
(bench/outside/README.md).

Shahed-type drones over a cheap acoustic network (jittered 5 km grid, ~2.5 km slant range,
presence-only 70 % / bearing arrays 30 %), with one varied condition per scene family.

usage: gen.py FAMILY SEED OUTDIR   (NDRONES=N: N drones instead of 20-40 drawn by the seed)
families: base clock outage wind maneuver late swarm declared bursts
Writes OUTDIR/sensors.json, detections.ndjson (with sim_target annotation), truth.ndjson.
"""
import json
import math
import os
import sys

import numpy as np

A = 6378137.0
F = 1 / 298.257223563
E2 = F * (2 - F)
C_SOUND = 343.0
T0 = 1764000000.0
LAT0, LON0, H0 = 48.40, 35.10, 150.0   # origin; ground at 150 m above the ellipsoid


def geo2ecef(lat, lon, h):
    la, lo = np.radians(lat), np.radians(lon)
    n = A / np.sqrt(1 - E2 * np.sin(la) ** 2)
    return np.stack([(n + h) * np.cos(la) * np.cos(lo), (n + h) * np.cos(la) * np.sin(lo),
                     (n * (1 - E2) + h) * np.sin(la)], axis=-1)


def rot(lat, lon):
    la, lo = math.radians(lat), math.radians(lon)
    sl, cl, so, co = math.sin(la), math.cos(la), math.sin(lo), math.cos(lo)
    return np.array([[-so, co, 0], [-sl * co, -sl * so, cl], [cl * co, cl * so, sl]])


R0 = rot(LAT0, LON0)
O0 = geo2ecef(LAT0, LON0, H0)


def enu2ecef(enu):
    return O0 + enu @ R0


def ecef2geo(x):
    x = np.atleast_2d(x)
    X, Y, Z = x[:, 0], x[:, 1], x[:, 2]
    lon = np.arctan2(Y, X)
    p = np.hypot(X, Y)
    lat = np.arctan2(Z, p * (1 - E2))
    for _ in range(6):
        n = A / np.sqrt(1 - E2 * np.sin(lat) ** 2)
        h = p / np.cos(lat) - n
        lat = np.arctan2(Z, p * (1 - E2 * n / (n + h)))
    n = A / np.sqrt(1 - E2 * np.sin(lat) ** 2)
    h = p / np.cos(lat) - n
    return np.degrees(lat), np.degrees(lon), h


def wrap360(b):
    return np.mod(b, 360.0)


# ---------------------------------------------------------------------------------- drones

def fly(rng, start, waypoints, t_launch, speed, alt_agl, dt=0.1, maneuver=False, t_end_scene=1e9):
    """Kinematic flight through waypoints with a turn-rate limit; returns (t, enu[n,3])."""
    pos = np.array([start[0], start[1]], float)
    hdg = math.atan2(waypoints[0][0] - pos[0], waypoints[0][1] - pos[1])  # from north, clockwise
    alt = alt_agl
    alt_cmd = alt_agl
    v = speed
    v_cmd = speed
    turn_max = math.radians(5.0)
    ts, ps = [], []
    t = t_launch
    wi = 0
    loiter_left = 0.0
    loiter_done = False
    next_alt_change = t + rng.uniform(60, 200)
    while wi < len(waypoints) and t <= t_end_scene + 1:
        ts.append(t)
        ps.append((pos[0], pos[1], alt + H0))
        tgt = waypoints[wi]
        d = math.hypot(tgt[0] - pos[0], tgt[1] - pos[1])
        final = wi == len(waypoints) - 1
        if maneuver:
            if t >= next_alt_change and not (final and d < 4000):
                alt_cmd = float(rng.choice([rng.uniform(1500, 2000), rng.uniform(100, 300), rng.uniform(400, 1200)]))
                v_cmd = rng.uniform(35, 62)
                next_alt_change = t + rng.uniform(60, 200)
            if final and d < 3000 and not loiter_done:
                loiter_left = rng.uniform(50, 90)
                loiter_done = True
            if final and loiter_left <= 0 and loiter_done and d < 2500:
                alt_cmd = 50.0  # terminal dive
                v_cmd = 65.0
        if loiter_left > 0:
            hdg += turn_max * 0.9 * dt   # circle of radius v/turn ~ 640 m
            loiter_left -= dt
        else:
            want = math.atan2(tgt[0] - pos[0], tgt[1] - pos[1])
            dh = (want - hdg + math.pi) % (2 * math.pi) - math.pi
            hdg += max(-turn_max * dt, min(turn_max * dt, dh))
        # climb / dive rate limits: climb 5 m/s, dive 15 m/s; speed change 1 m/s^2
        da = alt_cmd - alt
        alt += max(-15 * dt, min(5 * dt, da))
        v += max(-1 * dt, min(1 * dt, v_cmd - v))
        pos += v * dt * np.array([math.sin(hdg), math.cos(hdg)])
        if d < (150 if not final else 60) and loiter_left <= 0:
            wi += 1
        t += dt
        if t - t_launch > 3000:
            break
    return np.array(ts), np.array(ps)


class Drone:
    def __init__(self, name, t, enu):
        self.name = name
        self.t = t
        self.enu = enu
        self.ecef = enu2ecef(enu)
        self.t0, self.t1 = t[0], t[-1]

    def at(self, tau):
        """ECEF at times tau (array); NaN outside the flight."""
        out = np.empty((len(tau), 3))
        for k in range(3):
            out[:, k] = np.interp(tau, self.t, self.ecef[:, k])
        bad = (tau < self.t0) | (tau > self.t1)
        out[bad] = np.nan
        return out

    def enu_at(self, tau):
        out = np.empty((len(tau), 3))
        for k in range(3):
            out[:, k] = np.interp(tau, self.t, self.enu[:, k])
        return out


def make_drones(rng, fam, n, dur, W):
    drones = []
    specs = []
    if fam == 'swarm':
        groups = n // 3
        for g in range(groups):
            specs.append(('group', g))
    else:
        for i in range(n):
            specs.append(('single', i))
    k = 0
    for kind, g in specs:
        x0 = rng.uniform(-2000, W + 2000)
        y0 = rng.uniform(-6000, -3000)
        tx, ty = rng.uniform(2000, W - 2000), rng.uniform(0.7 * W, W + 3000)
        nleg = rng.integers(1, 3)
        wps = []
        for j in range(nleg):
            f = (j + 1) / (nleg + 1)
            wx = x0 + f * (tx - x0) + rng.uniform(-7000, 7000)
            wy = y0 + f * (ty - y0) + rng.uniform(-2000, 2000)
            wps.append((float(np.clip(wx, -3000, W + 3000)), wy))
        wps.append((tx, ty))
        launch = rng.uniform(-200, max(0.0, dur - 500))
        speed = rng.uniform(45, 55)
        alt = rng.uniform(100, 1500)
        if kind == 'single':
            t, p = fly(rng, (x0, y0), wps, launch, speed, alt, maneuver=(fam == 'maneuver'), t_end_scene=dur)
            drones.append((f'T{k + 1:02d}', t, p))
            k += 1
        else:
            # tight formation: leader + two wingmen 300 m behind-left / behind-right, same path offset
            t, p = fly(rng, (x0, y0), wps, launch, speed, alt, t_end_scene=dur)
            vel = np.gradient(p[:, :2], axis=0)
            hd = vel / np.maximum(np.linalg.norm(vel, axis=1, keepdims=True), 1e-9)
            right = np.stack([hd[:, 1], -hd[:, 0]], axis=1)
            for off_back, off_side, dalt in ((0, 0, 0), (260, -150, 30), (260, 150, -30)):
                q = p.copy()
                q[:, :2] = p[:, :2] - off_back * hd + off_side * right
                q[:, 2] += dalt
                drones.append((f'T{k + 1:02d}', t, q))
                k += 1
    out = []
    for name, t, p in drones:
        # clip to the scene [0, dur]
        m = (t >= 0) & (t <= dur)
        if m.sum() < 20:
            continue
        out.append(Drone(name, t[m] + T0, p[m]))
    return out


# --------------------------------------------------------------------------------- sensors

def make_sensors(rng, W, spacing=5000.0):
    sens = []
    n = int(round(W / spacing)) + 1
    k = 0
    for i in range(n):
        for j in range(n):
            e = i * spacing + rng.uniform(-1000, 1000)
            nn = j * spacing + rng.uniform(-1000, 1000)
            k += 1
            arr = rng.random() < 0.30
            s = dict(id=f'mic-{k:03d}', kind='acoustic', e=e, n=nn, u=H0 + 2.0 + rng.uniform(0, 8),
                     range_m=2500.0, pd=float(rng.uniform(0.6, 0.95)), far=float(rng.uniform(0.1, 2.0)),
                     array=arr, bearing_sd=float(rng.uniform(4, 8)) if arr else None,
                     period=float(rng.choice([1.0, 2.0, 2.0, 3.0])), phase=float(rng.uniform(0, 3)))
            s['true_range'] = s['range_m']
            s['true_pd'] = s['pd']
            sens.append(s)
    for s in sens:
        x = enu2ecef(np.array([[s['e'], s['n'], s['u']]]))
        la, lo, h = ecef2geo(x)
        s['lat'], s['lon'], s['alt'] = float(la[0]), float(lo[0]), float(h[0])
        s['ecef'] = x[0]
        s['R'] = rot(s['lat'], s['lon'])
    return sens


# ------------------------------------------------------------------------------ generation

def generate(fam, seed, outdir):
    # paired scenes: the same seed gives the same duration, network and (except maneuver/swarm)
    # the same drones in every family; the family's condition and the noise use their own streams
    rng0 = np.random.default_rng(seed)
    dur = float(rng0.uniform(600, 1200))
    n = int(rng0.integers(20, 41))
    if os.environ.get("NDRONES"): n = int(os.environ["NDRONES"])
    if fam == 'swarm':
        n = max(21, n - n % 3)
    W = 30000.0
    sens = make_sensors(rng0, W)
    rng_d = np.random.default_rng(seed * 7919 + (sum(map(ord, fam)) if fam in ('maneuver', 'swarm') else 0))
    drones = make_drones(rng_d, fam, n, dur, W)
    rng = np.random.default_rng(seed * 1000 + sum(map(ord, fam)))
    meta = dict(family=fam, seed=seed, duration_s=dur, drones=len(drones), sensors=len(sens))

    # family conditions on sensors
    wind_dir = rng.uniform(0, 2 * math.pi)  # direction the wind blows TOWARDS, from north clockwise
    wind_k = 0.35
    if fam == 'declared':
        for s in sens:
            s['true_range'] = s['range_m'] * (1 + rng.choice([-0.3, 0.3]))
            s['true_pd'] = float(np.clip(s['pd'] * (1 + rng.choice([-0.3, 0.3])), 0.3, 0.99))
            s['far'] = s['far']  # actual
            s['declared_far'] = s['far'] * (1 + rng.choice([-0.3, 0.3]))
        meta['declared'] = 'range_m and pd declared 30 % off the truth (random sign per sensor)'
    clock_off = {s['id']: 0.0 for s in sens}
    send_time = {s['id']: False for s in sens}
    if fam == 'clock':
        for s in sens:
            clock_off[s['id']] = float(rng.uniform(-2, 2))
            send_time[s['id']] = bool(rng.random() < 0.3)
        meta['clock'] = 'all clocks offset U(-2,2) s; 30 % of nodes stamp the uplink time (batched every 3 s + 0.2-1 s)'
    outages = {s['id']: [] for s in sens}
    if fam == 'outage':
        for s in sens:
            if rng.random() < 0.4:
                for _ in range(rng.integers(1, 3)):
                    a = rng.uniform(0, dur)
                    outages[s['id']].append((T0 + a, T0 + a + rng.uniform(120, 480)))
        meta['outage'] = '40 % of nodes silent 1-2 times for 2-8 min each, unannounced'
    if fam == 'wind':
        meta['wind'] = f'range x (1 + {wind_k} cos(angle between source->mic and wind-to direction {math.degrees(wind_dir):.0f} deg))'

    rows = []  # (t_report, row dict)

    def add(s, t_meas, typ, target, bearing=None):
        r = dict(t=None, sensor=s['id'], type=typ)
        if typ == 'bearing':
            r['bearing_deg'] = round(float(wrap360(bearing)), 2)
        r['sim_target'] = target
        rows.append((t_meas, r))

    for s in sens:
        frames = T0 + s['phase'] + np.arange(0, dur, s['period'])
        alive = np.ones(len(frames), bool)
        for a, b in outages[s['id']]:
            alive &= ~((frames >= a) & (frames <= b))
        dets = [[] for _ in frames]  # per frame: list of (range, target, bearing)
        for d in drones:
            if d.t1 + 20 < frames[0] or d.t0 > frames[-1] + 1:
                continue
            tau = frames.copy()
            for _ in range(4):
                x = d.at(tau)
                rr = np.linalg.norm(x - s['ecef'], axis=1)
                tau = frames - np.nan_to_num(rr, nan=0.0) / C_SOUND
            x = d.at(tau)
            v = (x - s['ecef']) @ s['R'].T  # ENU at the sensor
            rr = np.linalg.norm(v, axis=1)
            ok = ~np.isnan(rr)
            reff = np.full(len(frames), s['true_range'])
            if fam == 'wind':
                # direction of propagation source -> mic (horizontal), bearing from north
                prop = np.arctan2(-v[:, 0], -v[:, 1])
                reff = s['true_range'] * (1 + wind_k * np.cos(prop - wind_dir))
            ok &= np.nan_to_num(rr, nan=1e12) <= reff
            ok &= rng.random(len(frames)) < s['true_pd']
            ok &= alive
            brg = np.degrees(np.arctan2(v[:, 0], v[:, 1]))
            for i in np.nonzero(ok)[0]:
                dets[i].append((rr[i], d.name, brg[i]))
        for i, lst in enumerate(dets):
            if not lst:
                continue
            lst.sort()
            if s['array']:
                kept = []
                for rr_, nm, b in lst:
                    if all(abs((b - kb + 180) % 360 - 180) > 8 for _, _, kb in kept):
                        kept.append((rr_, nm, b))
                for rr_, nm, b in kept:
                    add(s, frames[i], 'bearing', nm, b + rng.normal(0, s['bearing_sd']))
            else:
                add(s, frames[i], 'presence', lst[0][1])
        # Poisson false alarms
        nfa = rng.poisson(s['far'] * dur / 3600)
        for _ in range(nfa):
            tf = T0 + rng.uniform(0, dur)
            if any(a <= tf <= b for a, b in outages[s['id']]):
                continue
            add(s, tf, 'bearing' if s['array'] else 'presence', None, rng.uniform(0, 360))

    if fam == 'bursts':
        nb = 0
        # generators: steady source at a few mics for 5-20 min
        for s in sens:
            if rng.random() < 0.10:
                a = rng.uniform(0, dur - 300)
                b = min(dur, a + rng.uniform(300, 1200))
                brg = rng.uniform(0, 360)
                for tf in np.arange(a, b, s['period']):
                    if rng.random() < 0.6:
                        add(s, T0 + tf + s['phase'], 'bearing' if s['array'] else 'presence', None, brg + rng.normal(0, 3))
                        nb += 1
        # wind gusts: groups of neighbouring mics fire together for 20-60 s
        for _ in range(6):
            ce, cn = rng.uniform(0, W, 2)
            a = rng.uniform(0, dur - 60)
            b = a + rng.uniform(20, 60)
            for s in sens:
                if math.hypot(s['e'] - ce, s['n'] - cn) < 6000:
                    for tf in np.arange(a, b, s['period']):
                        if rng.random() < 0.4:
                            add(s, T0 + tf, 'bearing' if s['array'] else 'presence', None, rng.uniform(0, 360))
                            nb += 1
        # road traffic: a straight road across the area, a truck every ~90 s at 15-25 m/s,
        # heard within 1.2 km with p 0.5 per frame
        p0 = np.array([-2000.0, rng.uniform(5000, 25000)])
        p1 = np.array([W + 2000.0, rng.uniform(5000, 25000)])
        L = np.linalg.norm(p1 - p0)
        u = (p1 - p0) / L
        tt = rng.uniform(0, 60)
        while tt < dur:
            vv = rng.uniform(15, 25)
            rev = rng.random() < 0.5
            for s in sens:
                fr = np.arange(tt, min(dur, tt + L / vv), s['period'])
                dist = (fr - tt) * vv
                pos = (p1 - u * dist[:, None]) if rev else (p0 + u * dist[:, None])
                de = pos[:, 0] - s['e']
                dn = pos[:, 1] - s['n']
                rr = np.hypot(de, dn)
                for i in np.nonzero((rr < 1200) & (rng.random(len(fr)) < 0.5))[0]:
                    add(s, T0 + fr[i], 'bearing' if s['array'] else 'presence', None,
                        math.degrees(math.atan2(de[i], dn[i])) + rng.normal(0, s['bearing_sd'] or 5))
                    nb += 1
            tt += rng.exponential(90)
        meta['bursts'] = f'{nb} correlated false detections: generators (10 % of mics, 5-20 min), 6 gusts over 6 km for 20-60 s, road traffic heard within 1.2 km'

    # reported times, ids, arrival order
    out = []
    sid = {s['id']: s for s in sens}
    for k, (tm, r) in enumerate(rows):
        s = sid[r['sensor']]
        tr = tm + clock_off[s['id']]
        if send_time[s['id']]:
            tr = math.ceil(tr / 3.0) * 3.0 + rng.uniform(0.2, 1.0)
        r['t'] = round(float(tr), 3)
        r['id'] = f"{s['id']}-{k:06d}"
        out.append([r['t'], r])   # arrival key
    if fam == 'late':
        extra = []
        for a in out:
            if rng.random() < 0.15:
                a[0] = a[1]['t'] + rng.uniform(0, 10)  # arrives late
        # duplicate bursts: a node reconnects and resends its last 20-60 s, 1-3 times
        for _ in range(25):
            s = sens[rng.integers(len(sens))]
            b = T0 + rng.uniform(60, dur)
            a = b - rng.uniform(20, 60)
            for tk, r in out:
                if r['sensor'] == s['id'] and a <= r['t'] <= b:
                    for rep in range(rng.integers(1, 4)):
                        extra.append([b + rng.uniform(0, 5), r])
        # plus scattered single duplicates (2 %)
        for tk, r in out:
            if rng.random() < 0.02:
                extra.append([tk + rng.uniform(0, 3), r])
        meta['late'] = f'15 % of rows arrive 0-10 s late (file in arrival order); {len(extra)} duplicate rows (same id)'
        out += extra
    out.sort(key=lambda a: a[0])

    os.makedirs(outdir, exist_ok=True)
    sj = []
    for s in sens:
        d = dict(id=s['id'], kind='acoustic', lat=round(s['lat'], 7), lon=round(s['lon'], 7), alt_m=round(s['alt'], 1),
                 range_m=s['range_m'], pd=round(s['pd'], 3), far_per_hour=round(s.get('declared_far', s['far']), 3))
        if s['array']:
            d['bearing_sd_deg'] = round(s['bearing_sd'], 2)
        sj.append(d)
    with open(os.path.join(outdir, 'sensors.json'), 'w') as f:
        json.dump({'sensors': sj}, f, indent=1)
    with open(os.path.join(outdir, 'detections.ndjson'), 'w') as f:
        for _, r in out:
            f.write(json.dumps(r) + '\n')
    with open(os.path.join(outdir, 'truth.ndjson'), 'w') as f:
        trows = []
        for d in drones:
            ts = np.arange(math.ceil(d.t0), math.floor(d.t1) + 1)
            e = d.enu_at(ts)
            la, lo, h = ecef2geo(enu2ecef(e))
            for i, t in enumerate(ts):
                trows.append((t, d.name, la[i], lo[i], h[i]))
        trows.sort()
        for t, nm, la, lo, h in trows:
            f.write(json.dumps(dict(t=int(t), id=nm, lat=round(float(la), 7), lon=round(float(lo), 7),
                                    alt_m=round(float(h), 1), **{'class': 'piston_owa'})) + '\n')
    cla, clo, _ = ecef2geo(enu2ecef(np.array([[W / 2, W / 2, 0.0]])))
    meta['center'] = [float(cla[0]), float(clo[0])]
    meta['detections'] = len(out)
    meta['true_detections'] = sum(1 for _, r in out if r['sim_target'])
    meta['arrays'] = sum(1 for s in sens if s['array'])
    with open(os.path.join(outdir, 'sensors_truth.json'), 'w') as f:
        json.dump({s['id']: dict(true_range_m=s['true_range'], true_pd=s['true_pd'], declared_range_m=s['range_m'],
                                 declared_pd=s['pd'], array=s['array'], clock_offset_s=clock_off[s['id']],
                                 stamps_send_time=send_time[s['id']], outages=outages[s['id']]) for s in sens}, f, indent=0)
    with open(os.path.join(outdir, 'meta.json'), 'w') as f:
        json.dump(meta, f, indent=1)
    print(json.dumps(meta))


if __name__ == '__main__':
    generate(sys.argv[1], int(sys.argv[2]), sys.argv[3])
