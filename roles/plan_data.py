"""Organisation data transcribed from the plan 二、组织体系 (组织体系与运行机制).

Source: 中牟县市场监督管理局 市场监管突发事件应急管理预案(试行). Chinese text is
copied verbatim from the plan (including its own small typos); officials' names
are deliberately omitted. This module holds plain data only and is loaded by the
`setup_bureau` management command.
"""

from __future__ import annotations

BUREAU = {
    "code": "bureau",
    "name": "中牟县市场监督管理局",
    "name_en": "Zhongmou County Market Supervision Bureau",
    # 发文机关代字 of its documents (not in the plan; the office may change it in the administration).
    "document_prefix": "牟市监应急",
}

LEADING_GROUP = {
    "code": "leading_group",
    "name": "中牟县市场监管突发事件应急工作领导小组",
    "name_en": "Emergency Leading Group",
    "duties": (
        "组长由局长担任,其他局领导为成员。\n"
        "1)对我局系统应对市场监管突发事件进行领导和指挥;\n"
        "2)研究确定全系统应对市场监管突发事件的重大决策和指导意见;\n"
        "3)宣布启动应急程序,并根据突发事件的具体情况,组建专项应急指挥部开展具体处置工"
        "作;\n"
        "4)协调与县政府部门及相关单位和上级业务主管部门的工作关系。"
    ),
}

LEADING_GROUP_OFFICE = {
    "code": "leading_group_office",
    "name": "应急领导小组办公室",
    "name_en": "Leading Group Office",
    "housed_in": "office",
    "duties": (
        "办公室设在办公室(应急管理科),由副局长兼任办公室主任。办公室负责传达领导小组的"
        "工作决定、通知等,收集各专项应急小组上报的工作信息资料及有关信息的上传下达工作。"
    ),
}

# 二(二)1. 各科室职责, entries 1-20 in plan order.
SECTIONS = [
    {
        "number": 1,
        "code": "office",
        "name": "办公室(应急管理科)",
        "name_en": "Office (Emergency Management)",
        "responsibility": (
            "负责接收、传递各地突发事件信息,并及时呈报应急领导小组;按照应急领导小组的指示督"
            "促相关室及时派员对突发事件进行调查处理;保障应急用车辆、物资及后勤保障工作。"
        ),
        "duties": "",
    },
    {
        "number": 2,
        "code": "publicity",
        "name": "新闻宣传",
        "name_en": "Publicity",
        "responsibility": (
            "负责我局市场监管突发事件舆情应急预案的制订和实施工作,做好突发事件处理情况、重大"
            "案件查处情况的宣传工作,正确引导舆论导向,积极促进突发事件及时、妥善解决。"
        ),
        "duties": "",
    },
    {
        "number": 3,
        "code": "finance",
        "name": "财务科",
        "name_en": "Finance",
        "responsibility": "负责突发事件应急处期间的经费保障工作。",
        "duties": "",
    },
    {
        "number": 4,
        "code": "personnel",
        "name": "人事",
        "name_en": "Personnel",
        "responsibility": (
            "负责突发事件应急处置期间,根据工作需要抽调参与应急处置人员相关信息提供,参与抽调"
            "人员组织调配工作。"
        ),
        "duties": "",
    },
    {
        "number": 5,
        "code": "legal",
        "name": "法制科",
        "name_en": "Legal Affairs",
        "responsibility": "负责突发事件处置过程中提供相关法律依据及指导基层单位突发事件的依法处置工作。",
        "duties": "",
    },
    {
        "number": 6,
        "code": "food_coordination",
        "name": "食品安全协调督查科",
        "name_en": "Food Safety Coordination",
        "responsibility": "负责我县食品安全突发事件应急预案的制订及实施工作。",
        "duties": (
            "拟订推进国家、省、市食品安全战略的措施并组织实施;承担统筹协调食品安全监管工作中"
            "的突出问题,推动健全食品安全跨地区跨部门协调联动机制工作;组织开展食品安全考核评"
            "价工作,统筹协调推进食品安全示范创建工作,承担县食品安全委员会日常工作。"
        ),
    },
    {
        "number": 7,
        "code": "catering",
        "name": "餐饮食品安全监督管理",
        "name_en": "Catering Food Safety",
        "responsibility": "负责我局食品安全餐饮领域突发事件应急预案的制订及实施工作。",
        "duties": (
            "分析掌握全县餐饮服务领域食品安全形势,拟订全县餐饮服务监督管理和餐饮服务经营者落"
            "实主体责任的制度措施组织实施全县餐饮服务企业的监督检查组织实施餐饮质量安全提升行"
            "动。"
        ),
    },
    {
        "number": 8,
        "code": "food_distribution",
        "name": "食品流通安全监督管理",
        "name_en": "Food Distribution Safety",
        "responsibility": "负责我局食品安全经营领域突发事件应急预案的制订及实施工作。",
        "duties": (
            "分析掌握全县流通领域食品(含保健食品、特殊医学用途配方食品、婴幼儿配方食品食品添"
            "加剂等特殊食品)安全形势,拟订全县食品流通、市场销售食用农产品监督管理和食品经营"
            "者落实主体责任的制度措施组织实施全县食品流通经营企业的监督检查组织食经营质量安全"
            "监督管理工作。"
        ),
    },
    {
        "number": 9,
        "code": "food_production",
        "name": "食品生产安全监督管理",
        "name_en": "Food Production Safety",
        "responsibility": "负责我局食品安全生产领域突发事件应急预案的制定、实施工作。",
        "duties": (
            "分析掌握全县生产领域食品(含保健食品、特殊医学用途配方食品、婴幼儿配方食品食品添"
            "加剂等特殊食品)安全形势,拟食品生产监督管理和食品生产者落实主体责任制度措施并组"
            "织实施组织实施全县食品生产许可的监督管理工作组织实施食生产质量安全监督管理工作组"
            "织实施全县食品生产企业监督检查指导企业建立健全食品安全可追溯体系。"
        ),
    },
    {
        "number": 10,
        "code": "drugs_devices_cosmetics",
        "name": "药品医疗器械化妆品监督管理",
        "name_en": "Drugs, Medical Devices and Cosmetics",
        "responsibility": "负责中牟县药品、疫苗、医疗器械、化妆品安全突发事件应急预案的制定和实施工作。",
        "duties": (
            "拟订全县药品零售、使用环节监督管理办法、措施并组织实施;配合实施流通领域药品召回"
            "的监督管理工作;组织实施药品零售、使用质量管理规范组织实施药品零售、使用环节监督"
            "检查工作;依权限组织对医疗用毒性药品、麻醉药品、精神药品、放射性药品及药品类易制"
            "毒化学品的监督管理工作;配合有关部门实施国家基本药品制度;拟订全县医疗器械经营、"
            "使用环节监督管理措施并组织实施;配合实施医疗器械问题产品召回的监督管理工作指导实"
            "施医疗器械经营、使用质量管理规范组织实施医疗器械经营、使用环节监督检查工作拟订全"
            "县化妆品经营环节监督管理措施并组织实施;组织并依职责监督实施化妆品标准配合实施经"
            "营环节化妆品问题产品召回的监督管理工作组织实施化妆品经营环节监督检查工作。"
        ),
    },
    {
        "number": 11,
        "code": "special_equipment",
        "name": "特种设备安全监察科",
        "name_en": "Special Equipment Safety",
        "responsibility": "负责我局特种设备突发事件应急预案的制订和实施工作。",
        "duties": (
            "拟订特种设备安全监督管理制度措施并组织实施监督检查特种设备生产、经营、使用、检验"
            "检测和进出口,以及高耗能特种设备节能标准、锅炉生产进口销售环节环境保护标准的执行"
            "情况按规定权限组织调查处理特种设备事故并进行统计分析查处特种设备相关违法行为监督"
            "管理全县特种设备检验检测机构和检验检测人员、作业人员推动特种设备安全科技研究并推"
            "广运用。"
        ),
    },
    {
        "number": 12,
        "code": "price",
        "name": "价格监督检查",
        "name_en": "Price Supervision",
        "responsibility": "负责我局价格异常波动应急预案的制订和实施工作。",
        "duties": (
            "拟订全县有关价格收费监督检查制度措施组织实施全县商品价格、服务价格以及国家机关、"
            "行政事业性收费的监督检查工作;组织查处价格收费违法违规行为组织公平竞争审查工作。"
        ),
    },
    {
        "number": 13,
        "code": "metrology",
        "name": "标准化计量科",
        "name_en": "Standards and Metrology",
        "responsibility": "负责我局计量突发事件应急预案的制订和实施工作。",
        "duties": (
            "订全县标准化规划、管理制度并组织实施;协调指导监督团体标准、企业标准自我声明公开"
            "工作;组织开展标准化示范试点工作协助查处违反强制性国家标准等违法行为管理全县商品"
            "条码工作推行法定计量单位统筹规划全县量值传递溯源体系承担全县计量标准、计量标准物"
            "质和计量器具管理工作,组织全县量值传递溯源和计量比对工作承担级计量技术规范体系建"
            "立和组织实施工作承担全县商品、市场计量行为、计量仲裁检定和计量技术机构及人员监督"
            "管理工作规范计量单位及数据使用。"
        ),
    },
    {
        "number": 14,
        "code": "enforcement",
        "name": "综合行政执法大队",
        "name_en": "Enforcement Brigade",
        "responsibility": "负责我局执法稽查突发事件应急预案的制订和实施工作。",
        "duties": (
            "贯彻执行国家和省、郑州市关于市场监管执法工作的法律、法规以及有关政策规定,负责中"
            "牟县辖区内市场监管综合行政执法工作;负责中牟县辖区内大案、要案、复杂案件的查办;"
            "负责跨区域市场监管执法的组织协调,组织查处跨区域市场监管领域的案件;承担法律、法"
            "规、规章明确规定由县级执法的事项和有关部门委托需由县级查处的案件;负责做好系统性"
            "、区域性执法风险防范工作;负责国家级、省级、郑州市级以及级监督抽检不合格产品的核"
            "查处置。"
        ),
    },
    {
        "number": 15,
        "code": "anti_unfair_competition",
        "name": "反不正当竞争(规范直销与打击传销办公室)",
        "name_en": "Anti-Unfair Competition (Direct Selling and Pyramid Selling)",
        "responsibility": "负责我局处置传销突发事件应急预案的制订和实施工作。",
        "duties": (
            "拟订全县有关反不正当竞争、直销市场监管、禁止传销的制度措施;组织指导查处不正当竞"
            "争行为;依法监督管理直销企业、直销员及其直销活动,协调相关方面开展打击传销工作;"
            "承担打击传销工作领导小组办公室日常工作。"
        ),
    },
    {
        "number": 16,
        "code": "online_trading",
        "name": "网络交易监督管理科",
        "name_en": "Online Trading",
        "responsibility": "负责我局网络交易突发事件应急预案的制订和实施工作。",
        "duties": (
            "实施网络商品交易及有关服务监督管理的制度措施组织指导协调全县网络市场行政执法工作"
            ";组织网络交易平台和网络经营主体规范管理工作组织实施网络市场监测工作组织实施合同"
            "、拍卖行为监督管理,组织指导动产抵押登记工作组织实施市场监管大数据采集、管理、研"
            "究、开放、使用和信息化建设工作。"
        ),
    },
    {
        "number": 17,
        "code": "advertising",
        "name": "广告监督管理",
        "name_en": "Advertising",
        "responsibility": "负责我局广告监管突发事件应急预案的制订和实施工作。",
        "duties": (
            "订全县广告业发展规划、政策措施和监督管理制度并组织实施组织监测全县各类媒介广告发"
            "布情况组织指导查处虚假广告等违法行为指导广告行业组织的工作。"
        ),
    },
    {
        "number": 18,
        "code": "product_quality",
        "name": "产品质量监督管理科(认证认可监管科)",
        "name_en": "Product Quality (Certification)",
        "responsibility": (
            "负责我局工业产品质量安全突发事件应急预案的制订和实施工作,产品召回突发事件应急预"
            "案的制定和实施工作。"
        ),
        "duties": (
            "拟订推进质量强战略和质量激励制度的政策措施并组织实施;承担统筹全县质量基础设施协"
            "同服务及应用工作;组织实施产品和服务质量提升制度、产品质量安全事故强制报告制度、"
            "缺陷产品召回制度;组织实施全县重大工程设备质量监理和产品防伪工作;开展服务质量监"
            "督监测,组织全县重大产品质量事故调查;承担质量强战略工作领导小组办公室日常工作;"
            "按照国家、省、市确定的重点监督的产品目录组织实施监督管;承担产品质量级监督抽查、"
            "风险监控和分类监督管理工作;指导和协调产品质量的行业监督和专业性监督;承担工业产"
            "品生产许可和食品相关产品质量安全监督管理工作;组织实施国家认证和合格评定监督管理"
            "制度;落实国家、省、市认证行业发展规划;统一监督管理和综合协调全县认证认可工作,"
            "规范认证认可活动查处认证违法行为;参与相关国际和区域性组织活动。"
        ),
    },
    {
        "number": 19,
        "code": "complaints_12315",
        "name": "12315投诉中心",
        "name_en": "12315 Complaint Centre",
        "responsibility": (
            "在突发事件应对过程中,充分发挥12315消费者投诉举报网络的作用,对消费者投诉和"
            "群众举报的经济案件快速分流、跟踪、督查和反馈处理结果;汇总、分析、管理和使用消费"
            "者咨询、投诉、举报数据,及时发布消费预警;对重大突发性损害消费者合法权益事件进行"
            "应急处置、协调调度和督办反馈。"
        ),
        "duties": "",
    },
    {
        "number": 20,
        "code": "other_sections",
        "name": "其他科室单位",
        "name_en": "Other Sections",
        "responsibility": "依据职责做好相关工作",
        "duties": "",
    },
]

STATIONS = [
    {
        "code": "chengguan",
        "name": "城关市场监督管理所",
        "name_en": "Chengguan Supervision Station",
        "town": "城关镇",
    },
    {
        "code": "baisha",
        "name": "白沙市场监督管理所",
        "name_en": "Baisha Supervision Station",
        "town": "白沙镇",
    },
    {
        "code": "hansi",
        "name": "韩寺市场监督管理所",
        "name_en": "Hansi Supervision Station",
        "town": "韩寺镇",
    },
    {
        "code": "guandu",
        "name": "官渡市场监督管理所",
        "name_en": "Guandu Supervision Station",
        "town": "官渡镇",
    },
]

# No phone numbers: the office fills them in.
CONTACTS = [
    {
        "code": "county_government",
        "kind": "upward",
        "name": "中牟县人民政府",
        "name_en": "Zhongmou County People's Government",
    },
    {
        "code": "city_bureau",
        "kind": "upward",
        "name": "郑州市市场监督管理局",
        "name_en": "Zhengzhou Municipal Market Supervision Bureau",
    },
    {
        "code": "police",
        "kind": "partner",
        "name": "中牟县公安局",
        "name_en": "Zhongmou County Public Security Bureau",
    },
    {
        "code": "health",
        "kind": "partner",
        "name": "中牟县卫生健康委员会",
        "name_en": "Zhongmou County Health Commission",
    },
    {
        "code": "gov_chengguan",
        "kind": "partner",
        "name": "城关镇人民政府",
        "name_en": "Chengguan Town People's Government",
    },
    {
        "code": "gov_baisha",
        "kind": "partner",
        "name": "白沙镇人民政府",
        "name_en": "Baisha Town People's Government",
    },
    {
        "code": "gov_hansi",
        "kind": "partner",
        "name": "韩寺镇人民政府",
        "name_en": "Hansi Town People's Government",
    },
    {
        "code": "gov_guandu",
        "kind": "partner",
        "name": "官渡镇人民政府",
        "name_en": "Guandu Town People's Government",
    },
]

# 二(一)2. 专项应急指挥部 主要职责
HQ_DUTIES = "及时研究相关情况制定应急措施,指挥有关及市场监督管理所及时、稳妥地处置突发事件。"

# 二(一)3. 突发事件应急办公室 主要职责
EMERGENCY_OFFICE_DUTIES = (
    "1)应急预案启动期间,负责执行局应急领导小组和专项应急指挥部的指令,组织、协调、"
    "指导、检查、落实辖区内市场监管突发事件的具体应对工作;\n"
    "2)审查各单位应急处置方案,并进行备案和管理;\n"
    "3)收集、分析研究应急响应期间系统内报送的市场突发事件相关信息,及时报送局应急领"
    "导小组和专项应急指挥部;\n"
    "4)针对应急预案规定的情形,做好相关市场预警工作;\n"
    "5)承担应急领导小组和专项应急指挥部交办的其他应急事项。"
)
