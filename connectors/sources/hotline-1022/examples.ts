/**
 * One realistic record per kind hotline-1022 publishes, as it posts it: its own field names and
 * formats, every field present. Keyed `<source>/<kind>`; tests read them through
 * test/fixtures/raw-examples.ts.
 */
export const EXAMPLES: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  'hotline-1022/citizen-report': {
    ticketId: 'HCM-2021-0814-00057',
    cityCode: '79',
    channel: 'CALL',
    categoryCode: 'YT-03',
    categoryName: 'Phản ánh vi phạm cách ly',
    content: 'Người dân phản ánh hộ F1 tại địa chỉ 123/4 Quang Trung ra khỏi nhà nhiều lần trong thời gian cách ly.',
    district: 'Quận Gò Vấp',
    ward: 'Phường 10',
    address: '123/4 Quang Trung',
    lat: null,
    lng: null,
    reporter: { name: 'Chị Thu', phone: '0903 123 456', email: null },
    status: 'Mới tiếp nhận',
    createdTime: '14/08/2021 21:07:44',
  },
};
