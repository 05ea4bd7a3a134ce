"""Incident categories (codes fixed by ../shared/docs/api.md) and the section responsible for
each (plan 二(二)1). Loaded by `setup_bureau`; an administrator may change the mapping later."""

CATEGORIES = [
    # code, name, English name, responsible section's code
    ("food_safety", "食品安全综合", "Food safety (general)", "food_coordination"),
    ("catering", "餐饮食品安全", "Catering food safety", "catering"),
    ("food_distribution", "食品流通安全", "Food distribution safety", "food_distribution"),
    ("food_production", "食品生产安全", "Food production safety", "food_production"),
    ("drugs_devices_cosmetics", "药品、疫苗、医疗器械、化妆品安全", "Drugs, vaccines, medical devices, cosmetics", "drugs_devices_cosmetics"),
    ("special_equipment", "特种设备安全", "Special equipment safety", "special_equipment"),
    ("price", "价格异常波动", "Abnormal price fluctuation", "price"),
    ("metrology", "计量", "Metrology", "metrology"),
    ("enforcement", "执法稽查", "Enforcement and inspection", "enforcement"),
    ("pyramid_selling", "传销与不正当竞争", "Pyramid selling and unfair competition", "anti_unfair_competition"),
    ("online_trading", "网络交易", "Online trading", "online_trading"),
    ("advertising", "广告", "Advertising", "advertising"),
    ("product_quality", "工业产品质量安全与召回", "Industrial product quality and recalls", "product_quality"),
    ("public_opinion", "舆情", "Public opinion", "publicity"),
    ("consumer_complaints", "消费投诉与消费权益", "Consumer complaints and rights", "complaints_12315"),
    ("other", "其他", "Other", "office"),
]
