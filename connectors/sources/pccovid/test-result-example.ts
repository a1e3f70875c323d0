/** One realistic pccovid test result, as the app's backend posts it, every field present. */
export const EXAMPLE: Readonly<Record<string, unknown>> = {
  id: 'XN-3b9f6e21-7c4a-4d8e-a1f0-5e2b9c7d0a44',
  qid: 'QH7K2M9XP4',
  fullName: 'Phạm Minh Tuấn',
  identityType: 'CCCD',
  identityNumber: '031092001234',
  dateOfBirth: '03/11/1992',
  gender: 1,
  phone: '+84912345678',
  testType: 'TEST_NHANH',
  result: 'AM_TINH',
  ctValue: null,
  facilityCode: 'TYT-31-11410',
  facilityName: 'Trạm Y tế phường Lạch Tray',
  facilityProvinceCode: '31',
  sampleTime: 1628908512000,
  resultTime: 1628910312000,
};
