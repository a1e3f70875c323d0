/**
 * One realistic record per kind c06 publishes, as it posts it: its own field names and
 * formats, every field present. Keyed `<source>/<kind>`; tests read them through
 * test/fixtures/raw-examples.ts.
 */
export const EXAMPLES: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  'c06/health-declaration': {
    soHoSo: 'C06-KBYT-2021-000871235',
    loaiToKhai: 'TOAN_DAN',
    soCCCD: '001092003456',
    hoVaTen: 'HOÀNG THỊ LAN',
    ngaySinh: '1992-09-30',
    gioiTinh: 'Nữ',
    soDienThoai: '0912 345 678',
    noiThuongTru: { maTinh: '36', maHuyen: '356', maXa: '13669', chiTiet: 'Xóm 3, thôn Đông' },
    noiTamTru: { maTinh: '01', maHuyen: '005', maXa: '00160', chiTiet: 'Số 9 ngõ 68 Cầu Giấy' },
    noiOHienTai: null,
    trieuChung: ['Sốt', 'Ho khan'],
    tiepXucCaBenh: false,
    tiepXucNguoiTuVungDich: false,
    tiepXucNguoiCoTrieuChung: true,
    noiDaDen: ['Bệnh viện Bạch Mai'],
    soMuiTiem: 1,
    ngayTiemGanNhat: '2021-07-28',
    thoiGianKhaiBao: '2021-08-14T09:35:12+07:00',
  },
};
