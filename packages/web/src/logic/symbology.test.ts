import { test } from 'node:test';
import assert from 'node:assert/strict';
import { affiliationOf, AFFILIATION_COLOUR, AFFILIATIONS, sensorColour, shapeForLabel, sortedClasses, trackIconId, TRACK_SHAPES } from './symbology.js';

test('class labels map to shapes; unknown labels to the unknown shape', () => {
  assert.equal(shapeForLabel('piston_owa'), 'delta');
  assert.equal(shapeForLabel('jet_owa'), 'delta');
  assert.equal(shapeForLabel('cruise_missile'), 'dart');
  assert.equal(shapeForLabel('multirotor'), 'rotor');
  assert.equal(shapeForLabel('fixed_wing_small'), 'small_wing');
  assert.equal(shapeForLabel('aircraft'), 'aircraft');
  assert.equal(shapeForLabel('balloon'), 'unknown');
  assert.equal(shapeForLabel(undefined), 'unknown');
});

test('icon ids combine shape and affiliation and are among the generated ones', () => {
  assert.equal(trackIconId({ label: 'jet_owa', affiliation: 'hostile' }), 'trk-delta-hostile');
  assert.equal(trackIconId({ label: 'aircraft', affiliation: 'friendly' }), 'trk-aircraft-friendly');
  // an affiliation the client does not know is drawn as unknown
  assert.equal(trackIconId({ label: 'multirotor', affiliation: 'pending' as never }), 'trk-rotor-unknown');
  const all = new Set(TRACK_SHAPES.flatMap((s) => AFFILIATIONS.map((a) => `trk-${s}-${a}`)));
  assert.equal(all.size, 24);
  assert.ok(all.has(trackIconId({ label: 'x', affiliation: 'neutral' })));
});

test('affiliation colours are distinct; unknown statuses get grey', () => {
  assert.equal(new Set(Object.values(AFFILIATION_COLOUR)).size, 4);
  assert.equal(affiliationOf('hostile'), 'hostile');
  assert.equal(affiliationOf(undefined), 'unknown');
  assert.notEqual(sensorColour('silent'), sensorColour('ok'));
  assert.equal(sensorColour('weird'), '#8c8c8c');
});

test('class probabilities sort most probable first and skip non-numbers', () => {
  const s = sortedClasses({ aircraft: 0.1, piston_owa: 0.7, multirotor: 0.2, bad: Number.NaN });
  assert.deepEqual(s.map((c) => c.label), ['piston_owa', 'multirotor', 'aircraft']);
  assert.deepEqual(sortedClasses(undefined), []);
});
