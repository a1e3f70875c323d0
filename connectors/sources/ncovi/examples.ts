/**
 * One realistic record per kind ncovi publishes, as it posts it: its own field names and
 * formats, every field present. Keyed `<source>/<kind>`; tests read them through
 * test/fixtures/raw-examples.ts.
 */
export const EXAMPLES: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  'ncovi/health-declaration': {
    ma_to_khai: 'NCV-20210814-0007731',
    loai_to_khai: 'toan_dan',
    ho_ten: 'Lê Thị Mai',
    so_cmnd: '025187654',
    nam_sinh: 1987,
    gioi_tinh: 'Nữ',
    quoc_tich: 'Việt Nam',
    so_dien_thoai: '0903456789',
    tinh_thanh: 'TP HCM',
    quan_huyen: 'Quận 3',
    phuong_xa: 'Phường 7',
    dia_chi: '45/12 Lê Văn Sỹ',
    trieu_chung: ['sốt', 'ho', 'mất vị giác'],
    tiep_xuc_ca_benh: false,
    tiep_xuc_nguoi_tu_vung_dich: true,
    tiep_xuc_nguoi_co_trieu_chung: null,
    noi_da_den: ['chợ Bình Điền', 'Bình Dương'],
    so_mui_tiem: 1,
    ngay_tiem_gan_nhat: '02/08/2021',
    thoi_gian_khai_bao: '14/08/2021 07:42',
  },
};
