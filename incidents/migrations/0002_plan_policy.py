"""The plan's rules per level, as data (design.md: code reads the policy, never hard-codes it).

Text is the plan's (三(一) levels, 三(三) measures, 五(一) who declares the end). This migration
only creates missing rows; an administrator's later edits are theirs.
"""

from django.db import migrations

LEVELS = [
    # level, criteria (三(一)), HQ required (三(三): Ⅳ may skip it), ended by (五(一)), may announce
    (1, "特别重大突发事件响应(Ⅰ级):适用于全乃至更大范围内爆发的疫情、严重灾害、重大社会安全事件等突发事件可能引发的市场波动。"
        "如非典、禽流感等重大疫情;严重的地震、洪涝、台风等自然灾害;恐怖袭击、地方戒严、局部战争等重大事件可能引发的市场波动。",
     True, "leading_group", True),
    (2, "重大突发事件响应(Ⅱ级):适用于因食物中毒、火灾、爆炸、环境污染等重大事故所引起的市场波动,"
        "以及爆发区域性瘟疫和一般性灾害包括地震、洪涝、暴风雪等自然灾害对市场造成的冲击。",
     True, "leading_group", True),
    (3, "较大突发事件响应(Ⅲ级):适用于市场监管过程中发生的在全范围内有重大影响的恶性案件,"
        "以及涉及市场监督管理局职能的罢工罢市、群体上访等事件。",
     True, "hq_commander", False),
    (4, "一般突发事件响应(Ⅳ级):适用于个别地方出现的危害消费者权益、影响市场稳定、性质恶劣的制售假冒伪劣商品、不正当竞争、传销等重大事件。"
        "主要是对节假日和国际国内重大活动、会议期间可能发生的市场波动、投诉高峰、市场安全事故等进行预警。",
     False, "hq_commander", False),
]

MEASURES = [
    # level, title, description, hours from activation (None: no limit in the plan), owner
    (1, "召开各室参加的专项应急指挥部会议,制定具体措施并下发市场监督管理所", "三(三)1.1):专项应急指挥部应在12小时内召开由各室参加的会议,迅速制定具体措施,并下发市场监督管理所及有关单位。", 12, "lead_section"),
    (1, "相关人员集结完毕并赶赴事发现场", "三(三)1.6):出现紧急情况,须做到在1小时内集结完毕,并迅速赶赴事发现场,做出应急处理。", 1, "office"),
    (1, "开通24小时值班电话,执法车辆、通讯、检测设备处于备用状态", "三(三)1.6):手机24小时开通,设立专用值班电话,坚持24小时值班制度;装备、应急物资随时处于备用状态。", 1, "office"),
    (1, "分批派出督查组,会同当地政府和市场监督管理所做好市场监管和社会稳定工作", "三(三)1.1)", None, "lead_section"),
    (1, "严厉打击制售假冒伪劣防控、救灾物资及囤积居奇、哄抬物价等违法行为", "三(三)1.2)、3)", None, "lead_section"),
    (1, "开展市场检查和安全排查,必要时依法采取停止生产、商品下架、停止交易、关闭市场等强制措施", "三(三)1.4)", None, "station"),
    (1, "做好自身安全防护和人员防疫防病工作", "三(三)1.5)", None, "office"),
    (2, "制定应对措施并下发单位", "三(三)2.1):专项应急指挥部应在24小时内制定应对措施并下发单位,督促、指导其做好紧急应对工作。", 24, "lead_section"),
    (2, "派出工作组实地调查取证(出现或可能出现重大伤亡的事故)", "三(三)2.2):专项应急指挥部应在24小时内派出工作组,实地调查取证,迅速查清事故原因,提出整改措施。", 24, "lead_section"),
    (2, "制定专项整治方案,下发全系统,全面开展市场排查", "三(三)2.2)", None, "lead_section"),
    (2, "制定维护灾区市场稳定工作方案(局部地区重大自然灾害)", "三(三)2.3)", None, "lead_section"),
    (2, "相关人员坚守岗位,车辆、通讯器材及其他物资处于应急备用状态", "三(三)2.3)", None, "office"),
    (3, "派出工作组实地调查,查清案件事实,依法处理并报告政府和市市场监督管理局(恶性案件)", "三(三)3.1):专项应急指挥部应在24小时内派出工作组,进行实地调查查清案件事实,依法做出处理。", 24, "lead_section"),
    (3, "提出处理意见和措施,局分管领导赶赴现场(群体性事件)", "三(三)3.2):应急指挥部接到报告后,视情况紧急程度,24小时内提出处理意见和措施。", 24, "lead_section"),
    (3, "对建筑装饰装修材料、农资等可能造成危害的情形及时做出预警,开展市场专项清理", "三(三)3.1)", None, "lead_section"),
    (4, "指定相关室派出专案小组前往事发地点实地调查,控制事态发展", "三(三)4.1):专案小组需及时将案件查处情况上报应急领导小组。", None, "lead_section"),
    (4, "构成犯罪的,及时移交公安机关", "三(三)4.1)", None, "lead_section"),
    (4, "及时发布消费警示,需召回或责令退出市场的商品及时处置", "三(三)4.3)", None, "lead_section"),
]


def seed(apps, schema_editor):
    LevelPolicy = apps.get_model("incidents", "LevelPolicy")
    MeasureTemplate = apps.get_model("incidents", "MeasureTemplate")
    for level, criteria, hq_required, ended_by, may_announce in LEVELS:
        LevelPolicy.objects.get_or_create(
            level=level,
            defaults={"criteria": criteria, "hq_required": hq_required, "ended_by": ended_by, "may_announce_end": may_announce},
        )
    if not MeasureTemplate.objects.exists():
        for order, (level, title, description, hours, owner) in enumerate(MEASURES, start=1):
            MeasureTemplate.objects.create(
                level=level, order=order, title=title, description=description, due_hours=hours, owner=owner
            )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
