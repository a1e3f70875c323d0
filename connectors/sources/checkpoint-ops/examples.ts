/**
 * One realistic record per kind checkpoint-ops publishes, as it posts it: its own field names and
 * formats, every field present. Keyed `<source>/<kind>`; tests read them through
 * test/fixtures/raw-examples.ts.
 */
export const EXAMPLES: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  'checkpoint-ops/checkpoint': {
    ma_chot: 'BD-QL13-01',
    ten_chot: 'Chốt kiểm soát cầu Vĩnh Bình',
    loai_chot: 'Đường bộ',
    tinh_tp: 'Bình Dương',
    quan_huyen: 'TP Thuận An',
    tuyen_duong: 'QL13',
    ly_trinh: 'Km 16+200',
    cap_quan_ly: 'Tỉnh',
    don_vi_quan_ly: 'Công an tỉnh Bình Dương',
    trang_thai: 'Đang hoạt động',
    vi_do: '10,8842',
    kinh_do: '106.7113',
    ma_qr_dia_diem: 'LQ-74-999001',
    hieu_luc_tu: '19/07/2021',
    hieu_luc_den: null,
    ngay_cap_nhat: '13/08/2021 17:30',
    ghi_chu: 'Phối hợp với TP HCM kiểm soát chiều vào',
  },
  'checkpoint-ops/checkpoint-passage': {
    checkpointCode: 'BD-QL13-01',
    readerId: 'BD-QL13-01-L2-IN',
    lane: 'L2',
    direction: 'IN',
    readTime: '2021-08-14 06:58:31',
    method: 'CHIP',
    cccdNumber: '074095001122',
    fullName: 'NGUYỄN HOÀNG PHÚC',
    qrContent: null,
    phone: null,
    plate: '61A34567',
    healthColor: 'XANH',
    decision: 'PASS',
  },
};
