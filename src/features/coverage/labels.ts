// Target kind names as the rules speak of them (the registry's own labels live in contracts/targets.ts).
export const targetKindLabels = {
  village: '村', community: '社区', building: '楼栋单元', household: '农户', enterprise: '企业', project: '重点项目',
  talent: '人才', graduate_official: '大学生村官', school: '学校', person: '其他人员',
} as const;
