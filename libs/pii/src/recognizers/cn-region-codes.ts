/**
 * First two digits of a resident ID: the province-level division (GB/T 2260). 71 (Taiwan), 81 (Hong Kong),
 * 82 (Macao) and 83 (residence permits for Taiwan residents) appear on IDs and residence permits issued since 2018.
 */
export const CN_PROVINCE_CODES: ReadonlySet<string> = new Set([
  '11', '12', '13', '14', '15',
  '21', '22', '23',
  '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46',
  '50', '51', '52', '53', '54',
  '61', '62', '63', '64', '65',
  '71', '81', '82', '83',
]);

/** Region code check: a known province and a prefecture part that is not 00 (IDs carry county-level codes). */
export function cnRegionValid(six: string): boolean {
  return CN_PROVINCE_CODES.has(six.slice(0, 2)) && six.slice(2, 4) !== '00';
}
