import type { TicketSource, TicketType } from '../../../contracts/tickets.ts';

// Words for generated tickets (the demo county and the benchmark's city tier): per category, what
// people ask about, what the handling unit did, and the type it usually is. `{p}` is the place.

export type CategoryText = {
  titles: string[];
  details: string[];
  /** What the handling unit did, for the reply. */
  done: string[];
  /** Types weighted by repetition. */
  types: TicketType[];
};

const h = (types: string) => types.split(' ') as TicketType[];

export const categoryTexts: Record<string, CategoryText> = {
  'employment.jobs': {
    titles: ['咨询县内企业招聘岗位信息', '{p}返乡人员希望就近就业', '失业后如何领取失业保险金'],
    details: ['本人今年从外地返乡，想在县内找一份稳定工作，不清楚到哪里看招聘信息。', '村里不少中年妇女想在家门口就业，希望能介绍来料加工等岗位。'],
    done: ['推送了县人力资源市场近期岗位信息，并登记了求职意向', '联系了附近针织企业，提供来料加工岗位12个'],
    types: h('consult consult help help suggestion'),
  },
  'employment.wages': {
    titles: ['{p}工地拖欠农民工工资', '讨要被拖欠的半年工资', '装修公司拖欠工人工钱'],
    details: ['在某工地做了半年泥水工，包工头以工程款未结为由一直拖欠工资约3.6万元。', '同村十几名工人在某渔业公司务工，年底工资至今未发放。'],
    done: ['约谈了施工总承包单位，督促其从农民工工资专用账户足额支付了拖欠工资', '启动欠薪应急周转金先行垫付，并对用工单位立案调查'],
    types: h('complaint complaint complaint help report'),
  },
  'employment.training': {
    titles: ['咨询电工证培训报名', '希望在{p}开办养殖技术培训班', '残疾人能否参加免费技能培训'],
    details: ['想考电工证，听说有政府补贴的培训，想了解报名条件和补贴标准。', '村里养殖户多，技术落后，希望农技部门来村里集中培训。'],
    done: ['告知了补贴性培训的报名条件和开班时间，已帮助报名', '协调县农技中心在村文化礼堂开设了两期养殖技术培训班'],
    types: h('consult consult suggestion help'),
  },
  'employment.startup': {
    titles: ['咨询创业担保贷款政策', '大学生返乡开民宿能否享受补贴', '{p}电商创业缺少场地'],
    details: ['本人计划开一家水产品网店，想申请创业担保贷款，不清楚需要哪些材料。', '毕业回乡想把老房子改成民宿，想了解有没有创业补贴。'],
    done: ['讲解了创业担保贷款政策，指导准备材料并已提交申请', '对接了县电商创业园，提供免租工位一年'],
    types: h('consult consult help suggestion'),
  },
  'social_security.pension': {
    titles: ['养老金发放日期推迟', '咨询城乡居民养老保险补缴', '老人养老金资格认证不会操作'],
    details: ['父亲本月的养老金比往常晚了一周还没到账，不知道是什么原因。', '本人年满60周岁，缴费年限不足15年，想了解能否一次性补缴。'],
    done: ['核实为银行代发批次调整，已到账并向诉求人说明', '上门为老人办理了养老金资格认证'],
    types: h('consult consult help complaint'),
  },
  'social_security.medical_insurance': {
    titles: ['异地就医备案办理咨询', '医保报销比例有疑问', '{p}老人不会办理医保缴费'],
    details: ['母亲在上海住院，想办理异地就医直接结算，不知道怎么备案。', '住院报销后自付部分比预想的高，怀疑报销比例算错了。'],
    done: ['指导诉求人通过手机完成了异地就医备案', '复核了报销明细，计算无误，已逐项向诉求人解释'],
    types: h('consult consult help complaint'),
  },
  'social_security.assistance': {
    titles: ['申请低保需要什么条件', '{p}困难家庭申请临时救助', '低保金被停发'],
    details: ['家中丈夫重病，两个孩子上学，收入很低，想申请低保。', '因家人患病花光积蓄，生活难以为继，申请临时救助。'],
    done: ['入户核查了家庭经济状况，已按程序纳入低保', '发放临时救助金5000元，并纳入重点关注对象'],
    types: h('help help help consult complaint'),
  },
  'social_security.elderly_disabled': {
    titles: ['残疾人两项补贴申请', '{p}独居老人需要助餐服务', '希望村里建居家养老服务站'],
    details: ['儿子二级肢体残疾，想申请残疾人生活补贴和护理补贴。', '村里独居老人多，吃饭成问题，希望开办老年食堂。'],
    done: ['已受理两项补贴申请，次月起按月发放', '协调镇居家养老服务中心为8名独居老人提供送餐服务'],
    types: h('help help suggestion consult'),
  },
  'education.enrolment': {
    titles: ['随迁子女入学咨询', '孩子上幼儿园离家太远', '{p}学区划分有疑问'],
    details: ['在象山务工三年，孩子明年上小学，想了解随迁子女入学需要哪些材料。', '新建小区划入的学区离家很远，孩子上学不方便。'],
    done: ['告知了随迁子女入学政策和材料清单', '解释了学区划分依据，并协调开通了校车线路'],
    types: h('consult consult complaint suggestion'),
  },
  'education.fees': {
    titles: ['学校收取资料费是否合规', '幼儿园收费上涨过快', '校外培训机构退费难'],
    details: ['孩子学校要求每人交300元资料费，不清楚是否属于规定收费项目。', '报名的培训班停课，机构拒绝退还剩余课时费用。'],
    done: ['核查后责令学校退还违规收取的资料费', '约谈培训机构负责人，已退还剩余费用'],
    types: h('complaint complaint report consult'),
  },
  'education.student_aid': {
    titles: ['困难学生资助申请', '大学生生源地助学贷款办理', '资助金未按时发放'],
    details: ['孩子考上高中，家里困难，想了解有没有助学金。', '孩子考上大学，想办理生源地信用助学贷款。'],
    done: ['已纳入家庭经济困难学生资助名单', '指导完成了生源地助学贷款的网上申请和合同签订'],
    types: h('help help consult complaint'),
  },
  'medical.access': {
    titles: ['县医院挂号难', '希望增加专家门诊', '{p}群众看病不方便'],
    details: ['每次到县医院看专家门诊都挂不上号，网上一放号就没了。', '海岛群众到县城看病要坐船，希望医院定期下乡巡诊。'],
    done: ['县医院增加了专家号源并开通电话预约', '安排县医院医生每月两次到岛上巡回诊疗'],
    types: h('complaint suggestion help consult'),
  },
  'medical.village_clinic': {
    titles: ['{p}卫生室药品种类少', '村卫生室医生经常不在', '希望村卫生室开展慢病随访'],
    details: ['村卫生室常用的降压药经常缺货，老人只能跑到镇上去配。', '村医年纪大了，卫生室经常关门，看小病也不方便。'],
    done: ['补充了常用慢病药品目录，实行缺药登记配送', '镇卫生院派驻医生每周三天坐诊'],
    types: h('complaint suggestion help'),
  },
  'medical.public_health': {
    titles: ['疫苗接种预约咨询', '{p}周边有人乱倒医疗废物', '食堂卫生状况差'],
    details: ['孩子需要接种疫苗，不清楚在哪里预约。', '发现村后山有人倾倒疑似医疗废物，气味难闻。'],
    done: ['告知了接种点和预约方式', '联合执法部门清运废物并追查来源'],
    types: h('consult report complaint'),
  },
  'housing.dilapidated': {
    titles: ['{p}危房需要改造', '老房子墙体开裂存在安全隐患', '申请农村危房改造补助'],
    details: ['家里老房子建于上世纪七十年代，雨季漏水，墙体开裂，住着不安全。', '独居老人的房屋年久失修，屋顶有坍塌风险。'],
    done: ['组织鉴定为C级危房，已纳入改造计划并拨付补助', '安排人员对房屋进行了加固维修，老人已临时安置'],
    types: h('help help help consult'),
  },
  'housing.property': {
    titles: ['小区物业服务差', '物业费上涨不合理', '小区电梯经常故障'],
    details: ['小区物业不作为，绿化无人打理，垃圾清运不及时。', '小区电梯三天两头坏，老人上下楼很困难。'],
    done: ['约谈物业公司并限期整改，已恢复正常保洁和绿化养护', '督促物业更换了电梯主板，并落实维保单位'],
    types: h('complaint complaint complaint suggestion'),
  },
  'housing.demolition': {
    titles: ['征收补偿标准有疑问', '{p}拆迁安置房交付延期', '咨询征收评估结果复核'],
    details: ['对房屋征收评估价格有异议，认为比周边低。', '安置房原定去年年底交付，至今未交付，也没有说明。'],
    done: ['组织评估机构复核并向诉求人当面解释评估依据', '公布了安置房交付时间表，并按协议发放过渡费'],
    types: h('complaint consult complaint'),
  },
  'infrastructure.roads': {
    titles: ['{p}村道路面破损', '路口缺少减速带', '公交车班次太少'],
    details: ['村道有多处坑洼，雨天积水，电动车经常摔倒。', '学校门口路口车速快，接送孩子很危险，希望设置减速带。'],
    done: ['对破损路面进行了修补', '在路口增设了减速带和警示标志'],
    types: h('complaint help suggestion'),
  },
  'infrastructure.water': {
    titles: ['{p}自来水水压不足', '停水没有提前通知', '排水沟堵塞雨天积水'],
    details: ['地势较高的几户人家每天早晚用水高峰时水龙头出不来水。', '连续两天停水，事先没有任何通知。'],
    done: ['更换了老化管段并加装增压设备，水压恢复正常', '疏通了排水沟并清理了淤泥'],
    types: h('complaint help help'),
  },
  'infrastructure.power': {
    titles: ['{p}经常停电', '电压不稳家电损坏', '申请农业用电增容'],
    details: ['最近一个月停了四次电，冷库里的海鲜都坏了。', '晚上用电高峰电压很低，空调开不起来。'],
    done: ['协调供电公司更换了台区变压器', '完成了线路改造，电压恢复正常'],
    types: h('complaint help help'),
  },
  'infrastructure.network': {
    titles: ['{p}手机信号差', '宽带安装等了一个月', '希望海岛通5G'],
    details: ['村里地势低，手机经常没有信号，打电话要到山上。', '申请宽带安装已经一个月，运营商一直说没资源。'],
    done: ['协调运营商新建了基站，信号已覆盖', '督促运营商完成宽带安装'],
    types: h('complaint help suggestion'),
  },
  'infrastructure.lighting': {
    titles: ['{p}路灯不亮', '村口路灯损坏多处', '希望加装太阳能路灯'],
    details: ['村口到码头的路灯坏了好几盏，晚上出行很不安全。', '新修的村道没有路灯，晚上一片漆黑。'],
    done: ['更换了损坏的路灯灯头和线路', '安装了太阳能路灯20盏'],
    types: h('complaint help suggestion'),
  },
  'environment.pollution': {
    titles: ['{p}河道污染', '养殖场污水直排', '企业排放异味'],
    details: ['村前小河水发黑发臭，怀疑上游有企业偷排。', '附近养殖场的污水直接排进水沟，臭味很大。'],
    done: ['执法检查后责令企业停产整改并立案处罚', '督促养殖场建设了污水处理设施'],
    types: h('report report complaint complaint'),
  },
  'environment.waste': {
    titles: ['{p}垃圾清运不及时', '河道垃圾无人清理', '建筑垃圾乱倒'],
    details: ['垃圾桶满了好几天没人清运，夏天气味难闻。', '有人在路边空地倾倒建筑垃圾，堆成了小山。'],
    done: ['调整了清运频次为每日一次', '清运了建筑垃圾并安装了监控'],
    types: h('complaint complaint report'),
  },
  'environment.noise': {
    titles: ['工地夜间施工噪声扰民', '广场舞音响声音太大', '{p}加工厂噪声扰民'],
    details: ['附近工地晚上十一点以后还在施工，严重影响休息。', '鱼粉加工厂机器日夜运转，噪声很大。'],
    done: ['责令施工单位停止夜间施工，确需施工的办理夜间施工许可并公示', '督促企业加装隔音设施，噪声已达标'],
    types: h('complaint complaint report'),
  },
  'environment.village_appearance': {
    titles: ['{p}乱堆乱放影响村容', '希望整治村口违章搭建', '池塘边杂草丛生'],
    details: ['村里不少农户在房前屋后乱堆柴草杂物，影响村容村貌。', '村口有人违章搭建棚子，占用公共道路。'],
    done: ['组织开展环境整治，清理杂物堆放点', '拆除了违章搭建，恢复了道路通行'],
    types: h('suggestion complaint report'),
  },
  'public_order.disputes': {
    titles: ['邻里宅基地纠纷', '{p}土地承包纠纷', '家庭赡养纠纷'],
    details: ['邻居建房占用了我家宅基地约两米，协商无果。', '兄弟三人对老人的赡养问题有分歧，老人无人照顾。'],
    done: ['组织村调委会现场调解，双方达成协议', '司法所调解后签订了赡养协议'],
    types: h('help help complaint'),
  },
  'public_order.security': {
    titles: ['{p}码头缺少安全护栏', '路口监控损坏', '出租房消防隐患'],
    details: ['渔港码头没有护栏，晚上有人差点掉进海里。', '村里几处出租房电线私拉乱接，存在火灾隐患。'],
    done: ['在码头加装了安全护栏和警示标志', '开展出租房消防检查，整改隐患12处'],
    types: h('report help suggestion'),
  },
  'public_order.fraud': {
    titles: ['疑似电信诈骗', '老人被骗购买保健品', '接到冒充公检法电话'],
    details: ['母亲接到自称医保局的电话，要求转账，怀疑是诈骗。', '村里有人以免费体检为名向老人推销高价保健品。'],
    done: ['民警上门开展防诈宣传，已帮助止付', '查处了涉事销售窝点并开展宣传'],
    types: h('report report consult'),
  },
  'enterprise.financing': {
    titles: ['企业贷款审批慢', '咨询政策性担保贷款', '希望降低企业融资成本'],
    details: ['企业急需流动资金500万元，银行审批已经两个月。', '小微企业想了解政府性融资担保的申请条件。'],
    done: ['组织银企对接会，企业已获授信', '介绍了政策性担保产品，已完成申请'],
    types: h('help help consult suggestion'),
  },
  'enterprise.land': {
    titles: ['企业扩产用地指标', '企业招工难', '{p}厂房用地审批慢'],
    details: ['企业订单增长，计划新建厂房，需要协调用地指标。', '企业缺普工80人，在本地招不到人。'],
    done: ['纳入重点项目用地保障清单，已完成供地', '组织专场招聘会，帮助企业招工56人'],
    types: h('help help suggestion'),
  },
  'enterprise.policy': {
    titles: ['惠企政策兑现慢', '咨询技改补助申报', '{p}农产品滞销'],
    details: ['去年申报的技改补助至今没有到账。', '种植的柑橘今年丰收，但收购商压价，销路不畅。'],
    done: ['核实后已兑现补助资金', '对接电商平台和商超，帮助销售柑橘40吨'],
    types: h('consult help complaint suggestion'),
  },
  'enterprise.arrears': {
    titles: ['政府工程款拖欠', '国企拖欠中小企业账款', '货款催收困难'],
    details: ['企业承建的道路工程已竣工验收一年，尾款仍未支付。', '为某国有企业供货，货款拖欠超过半年。'],
    done: ['协调财政按合同支付了工程尾款', '督促欠款单位制定还款计划并支付首期款项'],
    types: h('complaint complaint help'),
  },
  'permits.licences': {
    titles: ['营业执照办理咨询', '食品经营许可证办理慢', '个体户注销流程'],
    details: ['想开一家小吃店，不清楚营业执照和食品经营许可要哪些材料。', '食品经营许可申请已提交二十天，还没有结果。'],
    done: ['一次性告知了材料清单，已帮助网上办理', '加快审核，已颁发许可证'],
    types: h('consult consult complaint'),
  },
  'permits.household_registration': {
    titles: ['户口迁移咨询', '身份证补办', '新生儿落户'],
    details: ['孩子在外地出生，想把户口落在象山，不知道流程。', '身份证丢失，人在外地，能否异地补办。'],
    done: ['告知了办理流程，已为新生儿办理落户', '告知可在户籍地以外就近补办，并提供办理地点'],
    types: h('consult consult help'),
  },
  'permits.approvals': {
    titles: ['农房建设审批慢', '渔船更新改造审批', '{p}民宿审批手续复杂'],
    details: ['申请翻建农房已经三个月，审批还没下来。', '想把老渔船更新为钢质渔船，审批手续不清楚。'],
    done: ['实行联审联办，已核发乡村建设规划许可', '讲解了渔船更新改造政策，已受理申请'],
    types: h('consult complaint help'),
  },
  other: {
    titles: ['对工作提出意见建议', '{p}群众意见', '咨询办事流程'],
    details: ['希望政府部门办事再简化一点，少让群众跑腿。', '对近期的工作有一些想法，希望有关部门参考。'],
    done: ['已将意见转有关部门研究吸收', '已向诉求人解释说明'],
    types: h('suggestion suggestion consult complaint'),
  },
};

export const leafCategories = Object.keys(categoryTexts);

/** How each source opens the content. */
export const sourceLead: Record<TicketSource, string> = {
  visit: '走访中群众反映：',
  forum: '座谈会上群众反映：',
  hotline: '来电人反映：',
  web: '网民留言：',
  letter_visit: '来信反映：',
  enterprise: '企业反映：',
  open311: '第三方平台转来：',
};

/** How each type closes the content. */
export const typeAsk: Record<TicketType, string> = {
  consult: '想咨询相关政策和办理流程。',
  help: '希望有关部门帮助解决。',
  complaint: '此前反映过未果，要求尽快处理并给予答复。',
  report: '请有关部门核实查处。',
  suggestion: '建议有关部门统筹考虑。',
};

/** Problems found on visits (the demo's activity_problems) and the category each belongs to. */
export const problemCategory: [keyword: string, category: string, type: TicketType][] = [
  ['路灯', 'infrastructure.lighting', 'help'], ['水压', 'infrastructure.water', 'help'], ['危房', 'housing.dilapidated', 'help'],
  ['排水沟', 'infrastructure.water', 'help'], ['医保', 'social_security.medical_insurance', 'help'], ['滞销', 'enterprise.policy', 'help'],
  ['河道垃圾', 'environment.waste', 'complaint'], ['护栏', 'public_order.security', 'suggestion'], ['留守儿童', 'social_security.elderly_disabled', 'help'],
  ['卫生室', 'medical.village_clinic', 'suggestion'], ['用工', 'enterprise.land', 'help'], ['融资', 'enterprise.financing', 'help'],
];
