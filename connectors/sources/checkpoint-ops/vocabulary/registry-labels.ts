/**
 * Values of the provincial checkpoint registry uploads (checkpoint-ops `checkpoint`): the
 * "Loại chốt", "Cấp quản lý" and "Trạng thái" columns as provinces write them.
 */
import type { CheckpointStatus, CheckpointType, ManagingLevel } from '../../../../schemas/kinds/canonical-values.ts';
import { defineVocabulary } from '../../../../services/source-vocabulary/vocabulary.ts';

export const CHECKPOINT_TYPE_LABELS = defineVocabulary<CheckpointType>('checkpoint type label', {
  ROAD: ['Đường bộ', 'Chốt đường bộ'],
  AIRPORT: ['Cảng hàng không', 'Sân bay'],
  SEAPORT: ['Cảng biển', 'Bến thủy', 'Cảng thủy nội địa'],
  BORDER_GATE: ['Cửa khẩu'],
  RAIL_STATION: ['Ga đường sắt', 'Nhà ga'],
});

export const MANAGING_LEVEL_LABELS = defineVocabulary<ManagingLevel>('managing level label', {
  NATIONAL: ['Trung ương'],
  PROVINCIAL: ['Tỉnh', 'Cấp tỉnh'],
  DISTRICT: ['Huyện', 'Cấp huyện', 'Quận'],
  COMMUNE: ['Xã', 'Cấp xã', 'Phường'],
});

export const CHECKPOINT_STATUS_LABELS = defineVocabulary<CheckpointStatus>('checkpoint status label', {
  ACTIVE: ['Đang hoạt động', 'Hoạt động'],
  SUSPENDED: ['Tạm dừng'],
  CLOSED: ['Giải thể', 'Đã đóng'],
});

/** An empty "Trạng thái" cell means the checkpoint is operating. */
export const CHECKPOINT_STATUS_WHEN_EMPTY: CheckpointStatus = 'ACTIVE';
