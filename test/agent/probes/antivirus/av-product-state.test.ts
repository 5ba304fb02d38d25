import { describe, expect, it } from 'vitest';
import { decodeProductState } from '../../../../agent/src/probes/antivirus/av-product-state.js';

describe('decodeProductState', () => {
  // Values seen on real machines (research notes 4.1; Clinton-Citracom's classic lookup table) and their reading.
  it.each([
    [397568, 'on', true, true], // 0x061100 enabled Windows Defender
    [393472, 'off', true, true], // 0x060100 Defender off while a third-party AV is active
    [397312, 'on', false, true], // 0x061000 CylancePROTECT on
    [266240, 'on', false, true], // 0x041000 third-party on, up to date
    [266256, 'on', false, false], // 0x041010 on, definitions out of date
    [262144, 'off', false, true], // 0x040000 off
    [262160, 'off', false, false], // 0x040010 off and out of date
    [393216, 'off', false, true], // 0x060000
    [397328, 'on', false, false], // 0x061010
    [270336, 'snoozed', false, true], // 0x042000
    [274432, 'expired', false, true], // 0x043000
    [0x045000, 'unknown', false, true], // a state nibble past the known ones
  ])('%i -> %s (microsoft %s, up to date %s)', (value, state, microsoft, upToDate) => {
    expect(decodeProductState(value)).toEqual({ state, microsoft, upToDate });
  });

  it('accepts the decimal string some serializers emit and refuses what is not a state', () => {
    expect(decodeProductState('397568')?.state).toBe('on');
    for (const bad of [null, undefined, '', 'on', -1, 1.5, 0x1000000, {}]) expect(decodeProductState(bad)).toBeNull();
  });
});
