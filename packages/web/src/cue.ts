/**
 * The audible cue for a threat that becomes IMMINENT (issue 17): two short tones made with the
 * Web Audio API (no sound file), muteable, the choice kept in localStorage. Browsers start an
 * AudioContext suspended until the user has touched the page; the first pointer or key press
 * resumes it, so a cue before any touch may stay silent (it is still shown by the row's flash).
 */

const KEY = 'skywarden.cue.muted';

export interface Cue {
  muted(): boolean;
  setMuted(m: boolean): void;
  /** Sounds the cue unless muted; returns whether a sound was started. */
  play(): boolean;
  /** For tests: cues asked for and cues sounded since start. */
  counts(): { requested: number; played: number };
}

export function createCue(): Cue {
  let muted = false;
  try {
    muted = localStorage.getItem(KEY) === '1';
  } catch {
    muted = false;
  }
  let ctx: AudioContext | null = null;
  let requested = 0;
  let played = 0;
  const context = (): AudioContext | null => {
    if (ctx) return ctx;
    const AC = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!AC) return null;
    try {
      ctx = new AC();
    } catch {
      ctx = null;
    }
    return ctx;
  };
  const unlock = () => {
    const c = context();
    if (c && c.state === 'suspended') void c.resume().catch(() => undefined);
  };
  window.addEventListener('pointerdown', unlock, { passive: true });
  window.addEventListener('keydown', unlock);

  const tone = (c: AudioContext, at: number, hz: number) => {
    const osc = c.createOscillator();
    const gain = c.createGain();
    osc.type = 'square';
    osc.frequency.value = hz;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.2, at + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.14);
    osc.connect(gain).connect(c.destination);
    osc.start(at);
    osc.stop(at + 0.15);
  };

  return {
    muted: () => muted,
    setMuted(m) {
      muted = m;
      try {
        localStorage.setItem(KEY, m ? '1' : '0');
      } catch {
        /* storage disabled: this page only */
      }
    },
    play() {
      requested++;
      if (muted) return false;
      const c = context();
      if (!c) return false;
      if (c.state === 'suspended') void c.resume().catch(() => undefined);
      const now = c.currentTime;
      tone(c, now, 988);
      tone(c, now + 0.2, 1319);
      played++;
      return true;
    },
    counts: () => ({ requested, played }),
  };
}
