"""Exercises for chapter 10 · CRM in the firm (docs/crm-theory-reference.md §1, §6, §7)."""

from __future__ import annotations

import pandas as pd

import crm_theory as crm
from exercises.core import MatchingQuestion, NumberQuestion, OrderQuestion, ____

TITLE = "Exercises · Chapter 10 · CRM in the firm"
NOTEBOOK = "10_crm_in_the_firm_exercises.ipynb"
INTRO = """
Practise the ideas of chapter 10 (`notebooks/10_crm_in_the_firm.ipynb`): the three functions of a CRM system,
staffing a call centre (呼叫中心) with Erlang C, forecasting from a sales-opportunity pipeline, a CRM strategy as
people, technology, process and data with its five implementation steps, data privacy and consent, the cases
the course's sources cite, and the terms of the chapter. The chapter's functions are at hand as `crm.…`
(e.g. `crm.agents_needed`, `crm.stage_funnel`, `crm.weighted_pipeline`).

The sources are named in `docs/crm-theory-reference.md`. Questions on privacy law test the general principles
the chapter teaches; they are not legal advice.
"""

SETUP = "from exercises.ch10 import *\n"

# --------------------------------------------------------------------------------------------------
# the service line of question 2
CALLS_PER_HOUR = 240
HANDLE_MINUTES = 4.0
TARGET_SECONDS = 30
TARGET_LEVEL = 0.8

# the pipeline of question 3: closed deals by the stage where they ended, and the open deals
STAGES = ["lead", "qualified", "proposal", "negotiation"]
closed_deals = pd.DataFrame(
    {
        "stage": ["lead"] * 20 + ["qualified"] * 8 + ["proposal"] * 4 + ["negotiation"] * 8,
        "outcome": ["lost"] * 32 + ["lost"] * 2 + ["won"] * 6,
    }
)
open_deals = pd.DataFrame(
    {
        "deal": ["D1", "D2", "D3", "D4", "D5", "D6"],
        "stage": ["lead", "lead", "qualified", "proposal", "proposal", "negotiation"],
        "amount": [40_000, 25_000, 30_000, 60_000, 20_000, 50_000],
    }
)


class Functions(MatchingQuestion):
    statement = """Two of the course's sources sort what a CRM system does into three functions: CRM in
**marketing** (市场营销), in **sales** (销售) and in **customer service** (客户服务). Which function does each
capability serve?

- **A** Analyse the target customers: which industries, ages and regions the key customer groups come from.
- **B** Compare the payments that followed each campaign with its expense claims, and report each campaign's
  effect.
- **C** Keep leads, contacts, business opportunities, orders and payment records, and divide deals into stages.
- **D** Raise the win rate (成单率) and shorten the sales cycle (销售周期).
- **E** Show an agent the caller's details and the history of their past problems, to solve the problem at once.
- **F** Answer calls on a service line staffed so that 80% of callers wait less than 20 seconds.

Answer with a dict; each label is `'marketing'`, `'sales'` or `'service'`."""
    template = 'functions = {"A": ____, "B": ____, "C": ____, "D": ____, "E": ____, "F": ____}'
    variables = ["functions"]
    setup_code = SETUP
    answers = {"A": "marketing", "B": "marketing", "C": "sales", "D": "sales", "E": "service", "F": "service"}
    synonyms = {
        "市场营销": "marketing",
        "营销": "marketing",
        "销售": "sales",
        "客户服务": "service",
        "customer service": "service",
    }
    item_feedback = {
        (
            "B",
            "sales",
        ): "B measures campaigns, the marketing department's work, even though it reads payments.",
        ("D", "marketing"): "D is about closing deals faster and more often: the sales function.",
        ("F", "marketing"): "F is the call centre answering customers: the service function.",
        ("C", "service"): "C lists the modules of the sales function: leads to payments, deals in stages.",
    }
    hints = [
        "Ask of each capability: does it help find and reach customers, close deals, or solve customers' "
        "problems?",
        "Two capabilities go to each function.",
    ]
    solution_text = (
        "A and B are marketing (who the target customers are; what each campaign brought), C and D are "
        "sales (the pipeline of opportunities by stage, whose aims are a higher win rate and a shorter "
        "cycle), E and F are customer service (the customer's history at hand; a service line staffed with "
        "Erlang C)."
    )
    solution_code = (
        'functions = {"A": "marketing", "B": "marketing", "C": "sales", "D": "sales", "E": "service", '
        '"F": "service"}'
    )
    wrong_examples = [
        (
            'functions = {"A": "marketing", "B": "sales", "C": "sales", "D": "sales", "E": "service", '
            '"F": "service"}',
            "campaigns",
        ),
        ('functions = {"A": "marketing", "B": "marketing", "C": "sales", "D": "sales"}', "no label for"),
    ]


class Staffing(NumberQuestion):
    statement = f"""A service line receives {CALLS_PER_HOUR} calls an hour; a call takes {HANDLE_MINUTES:g}
minutes on average. The firm wants {TARGET_LEVEL:.0%} of callers answered within {TARGET_SECONDS} seconds. With
the Erlang C model (calls arrive at random, nobody hangs up), how many agents must answer the phones? Use
`crm.agents_needed` or `crm.staffing_table`; keep every time in one unit (e.g. minutes)."""
    template = "agents = ____"
    variables = ["agents"]
    setup_code = SETUP

    def expected(self) -> float:
        return float(
            crm.agents_needed(CALLS_PER_HOUR / 60, HANDLE_MINUTES, TARGET_SECONDS / 60, TARGET_LEVEL)
        )

    def mistakes(self):
        load = CALLS_PER_HOUR / 60 * HANDLE_MINUTES
        needed = self.expected()
        return [
            (
                load,
                "With exactly as many agents as the load (16 Erlangs) every agent is busy all the time and "
                "the queue grows without end. You need more.",
            ),
            (
                load + 1,
                "17 agents keep the queue stable, but far fewer than 80% are answered within 30 seconds. (If "
                "your calculation gave 17, check the units: 30 seconds is half a minute.)",
            ),
            (needed - 1, "One agent short: check the service level of your staffing against the 80% target."),
            (
                needed + 1,
                "That staffing meets the target, but so does one agent fewer: give the fewest agents.",
            ),
        ]

    hints = [
        "The offered load is calls per minute × minutes per call: 4 × 4 = 16 Erlangs.",
        "`crm.staffing_table(4, 4.0, range(17, 23), target_time=0.5)` shows the service level of each staffing; "
        "take the first row at or above 0.8.",
    ]
    solution_text = (
        "The load is 16 Erlangs. 17 agents answer only 35% within 30 seconds, 19 agents 74%, 20 agents 84%: "
        "the firm needs 20 agents, who are busy 80% of the time."
    )
    solution_code = "agents = crm.agents_needed(240 / 60, 4.0, 30 / 60, 0.8)\nagents"
    wrong_examples = [("agents = 17", "stable"), ("agents = 16", "without end"), ("agents = 25", "not right")]


class PipelineForecast(NumberQuestion):
    statement = """A small B2B supplier has closed 40 deals: `closed_deals` gives the stage where each ended
(`lead`, `qualified`, `proposal`, `negotiation`) and its outcome (`won` or `lost`; won deals are listed at the
last stage). `open_deals` holds the six deals still open, with their stage and amount (CU).

Estimate each stage's win probability from the closed deals (won ÷ deals that reached the stage), and give the
**weighted pipeline value** of the open deals: the sum of amount × win probability of its stage."""
    template = "pipeline_value = ____"
    variables = ["pipeline_value"]
    setup_code = SETUP

    def _probability(self):
        return crm.stage_funnel(closed_deals, STAGES)["win_probability"]

    def expected(self) -> float:
        return float(crm.weighted_pipeline(open_deals, self._probability())["weighted_value"].sum())

    def mistakes(self):
        funnel = crm.stage_funnel(closed_deals, STAGES)
        by_conversion = crm.weighted_pipeline(open_deals, funnel["conversion"])["weighted_value"].sum()
        rate = crm.win_rate(closed_deals["outcome"])
        return [
            (
                float(open_deals["amount"].sum()),
                "That is the whole amount of the open deals, as if every one "
                "were won: weight each by its stage's win probability.",
            ),
            (
                float(by_conversion),
                "That weights each deal by the conversion to the next stage only; a deal must "
                "pass every later stage too: use the win probability (won ÷ reached).",
            ),
            (
                float(open_deals["amount"].sum() * rate),
                "That uses the overall win rate for every deal; a deal "
                "further along is more likely to be won.",
            ),
        ]

    hints = [
        "`crm.stage_funnel(closed_deals, STAGES)` gives a `win_probability` column.",
        "`crm.weighted_pipeline(open_deals, funnel['win_probability'])['weighted_value'].sum()`.",
    ]
    solution_text = (
        "Of 40 deals, 6 were won: 15% of leads. 20 reached the qualified stage (the other 20 were lost as "
        "leads), so 6/20 = 30% of qualified deals are won; 12 reached the proposal (50%), 8 the "
        "negotiation (75%). The weighted value is 65,000 × 0.15 + 30,000 × 0.30 + 80,000 × 0.50 + 50,000 × "
        "0.75 = 96,250 CU, against 225,000 CU of open amounts."
    )
    solution_code = (
        "funnel = crm.stage_funnel(closed_deals, STAGES)\n"
        "pipeline_value = crm.weighted_pipeline(open_deals, funnel['win_probability'])['weighted_value'].sum()\n"
        "pipeline_value"
    )
    wrong_examples = [
        ("pipeline_value = 225000", "whole amount"),
        ("pipeline_value = 225000 * 0.15", "overall win rate"),
        ("pipeline_value = 1", "not right"),
    ]


class Elements(MatchingQuestion):
    statement = """《客户关系管理策略》 says a CRM strategy integrates **people** (人), **technology** (技术),
**process** (流程) and **data** (数据). Which of the four does each measure of a retailer mainly strengthen?

- **A** Train the store staff to use the customer records when they serve a customer.
- **B** Choose a CRM system that fits the firm's size and needs.
- **C** Merge the shop's, the website's and the call centre's customer lists into one file, and correct the
  duplicates.
- **D** Redesign how a complaint moves from the first call to its solution, with a deadline at each step.
- **E** Reward employees for keeping customers, not only for new sales.
- **F** Record each customer's purchase history and feedback.

Answer with a dict; each label is `'people'`, `'technology'`, `'process'` or `'data'`."""
    template = 'elements = {"A": ____, "B": ____, "C": ____, "D": ____, "E": ____, "F": ____}'
    variables = ["elements"]
    setup_code = SETUP
    answers = {"A": "people", "B": "technology", "C": "data", "D": "process", "E": "people", "F": "data"}
    synonyms = {"人": "people", "技术": "technology", "流程": "process", "数据": "data", "tech": "technology"}
    item_feedback = {
        (
            "C",
            "technology",
        ): "C is about the customer file itself: one complete, accurate record per customer.",
        (
            "E",
            "process",
        ): "E changes what employees are rewarded for: the people side, the culture the article "
        "《市场营销客户关系管理》 says a customer-centred firm must build.",
        ("D", "technology"): "D redesigns a workflow (a business process), whatever tool carries it.",
    }
    hints = [
        "Ask: does the measure change who does the work and why, the tool, the way the work flows, or the "
        "customer information?",
        "Two measures are about people and two about data.",
    ]
    solution_text = (
        "A and E are people (skills; incentives and culture), B technology, D process (a complaint's path "
        "through the firm), C and F data (one clean customer file; purchases and feedback). A strategy that "
        "buys B alone is the failure the chapter describes: software without people, process and data."
    )
    solution_code = 'elements = {"A": "people", "B": "technology", "C": "data", "D": "process", "E": "people", "F": "data"}'
    wrong_examples = [
        (
            'elements = {"A": "people", "B": "technology", "C": "technology", "D": "process", "E": "people", '
            '"F": "data"}',
            "customer file",
        ),
        (
            'elements = {"A": "people", "B": "technology", "C": "data", "D": "process", "E": "staff", '
            '"F": "data"}',
            "use one of",
        ),
    ]


class Steps(OrderQuestion):
    statement = """《客户关系管理策略》 gives five steps for implementing a CRM strategy. Put them in order:

- **a** choose a suitable CRM tool (选择适合的CRM工具)
- **b** monitor continuously and improve (持续监测与优化)
- **c** set goals (设定目标)
- **d** train the staff (培训员工)
- **e** build the customer database (建立客户数据库)

Answer with a list of the five letters."""
    template = "steps = [____, ____, ____, ____, ____]"
    variables = ["steps"]
    setup_code = SETUP
    correct_order = ("c", "e", "a", "d", "b")
    mistakes = {
        (
            "a",
            "c",
            "e",
            "d",
            "b",
        ): "Choosing the tool first is the mistake the course's sources warn against: "
        "goals come first, and the tool is chosen to fit them.",
        ("c", "a", "e", "d", "b"): "The article builds the customer database before it chooses the tool.",
        ("c", "e", "a", "b", "d"): "Staff are trained before the strategy runs; monitoring never ends.",
    }
    hints = [
        "What must a firm know before it can judge any tool?",
        "The article's order: goals → data → tool → people → monitoring.",
    ]
    solution_text = (
        "Set goals → build the customer database → choose a suitable CRM tool → train the staff → monitor "
        "and improve. Goals decide what data and which tool are needed; people make the tool work; "
        "monitoring checks the goals and starts the loop again."
    )
    solution_code = "steps = ['c', 'e', 'a', 'd', 'b']"
    wrong_examples = [
        ("steps = ['a', 'c', 'e', 'd', 'b']", "goals come first"),
        ("steps = ['c', 'e', 'a', 'd']", "5 letters"),
    ]


class Consent(MatchingQuestion):
    statement = """A customer joins a shop's loyalty app. The sign-up form, clear and separate for each use,
records two things: the shop may use her name, address and purchases **to process and deliver her orders**,
and she **ticked the box for marketing e-mails**. Under the principles the chapter draws from China's PIPL
(个人信息保护法) and the EU's GDPR, what may the shop do?

- **A** Use her address to deliver an order.
- **B** E-mail her an offer based on what she bought.
- **C** Give her purchase history to a partner company for the partner's own marketing.
- **D** Infer a health condition from her purchases and target her with medical advertising.
- **E** Keep sending marketing e-mails after she withdrew her marketing consent in the app.
- **F** Keep her full purchase history "in case it is useful" five years after she closed her account.

Label each `'allowed'` (covered by the contract or her consent), `'new consent'` (possible only with a new,
separate consent) or `'not allowed'`."""
    template = 'consent = {"A": ____, "B": ____, "C": ____, "D": ____, "E": ____, "F": ____}'
    variables = ["consent"]
    setup_code = SETUP
    answers = {
        "A": "allowed",
        "B": "allowed",
        "C": "new consent",
        "D": "new consent",
        "E": "not allowed",
        "F": "not allowed",
    }
    synonyms = {"needs consent": "new consent", "separate consent": "new consent", "ok": "allowed"}
    item_feedback = {
        (
            "C",
            "allowed",
        ): "C is a new purpose and a new controller: neither the contract nor a consent to the "
        "shop's own e-mails covers it (purpose limitation; PIPL asks for separate consent to share).",
        ("D", "allowed"): "D creates sensitive personal information (health): both laws require an explicit, "
        "separate consent for it.",
        (
            "E",
            "new consent",
        ): "E: consent can be withdrawn at any time, as easily as it was given, and use based "
        "on it must stop; asking again in every e-mail is not the answer.",
        (
            "F",
            "new consent",
        ): "F: keeping data with no purpose breaks storage limitation (retention no longer "
        "than needed), whatever consent says.",
        ("B", "new consent"): "B is exactly what she consented to: marketing e-mails from the shop.",
    }
    hints = [
        "For each use ask: which purpose does it serve, and did the contract or her consent cover that purpose?",
        "Two uses are covered, two need a new separate consent, two are not allowed at all.",
    ]
    solution_text = (
        "A is needed to perform the contract, B is what she consented to. C (a new purpose, another firm) "
        "and D (sensitive information) need a new, separate, informed consent. E ignores a withdrawal and F "
        "keeps data beyond any purpose: not allowed. General principles, not legal advice."
    )
    solution_code = (
        'consent = {"A": "allowed", "B": "allowed", "C": "new consent", "D": "new consent", '
        '"E": "not allowed", "F": "not allowed"}'
    )
    wrong_examples = [
        (
            'consent = {"A": "allowed", "B": "allowed", "C": "allowed", "D": "new consent", '
            '"E": "not allowed", "F": "not allowed"}',
            "new purpose",
        ),
        (
            'consent = {"A": "allowed", "B": "allowed", "C": "new consent", "D": "new consent", '
            '"E": "new consent", "F": "not allowed"}',
            "withdrawn",
        ),
    ]


class Cases(MatchingQuestion):
    statement = """Match each description to the case the course's sources cite. Labels: `'amazon'`,
`'apple'`, `'starbucks'` (《客户关系管理策略》), and `'vanke'`, `'volkswagen'`, `'lexus'`, `'happigo'`,
`'salesforce'` (case links in the textbook chapter 第二章 客户关系管理概述).

- **A** Recommends products from each customer's purchase and browsing history, and improves products and
  service from customer reviews.
- **B** One account system holds every customer's purchases and preference settings, the base for
  personalised service.
- **C** Customers order and pay in the firm's app and get personalised offers; purchase data shapes store layout
  and product mix.
- **D** Linked where the textbook explains customer-centred management: the firm's reflection and change.
- **E** Linked to the lead force (牵动力): sales, marketing and service cannot get the customer information they
  need.
- **F** Linked to the second channel of holding customer resources: building them together with the dealers.
- **G** Linked to the process of direct marketing (直复营销).
- **H** Linked, with Google, Facebook and Twitter, to "put the user at the centre and the rest follows", for its
  SaaS cloud model.

Answer with a dict."""
    template = (
        'cases = {"A": ____, "B": ____, "C": ____, "D": ____, "E": ____, "F": ____, "G": ____, "H": ____}'
    )
    variables = ["cases"]
    setup_code = SETUP
    answers = {
        "A": "amazon",
        "B": "apple",
        "C": "starbucks",
        "D": "vanke",
        "E": "volkswagen",
        "F": "lexus",
        "G": "happigo",
        "H": "salesforce",
    }
    synonyms = {
        "亚马逊": "amazon",
        "苹果": "apple",
        "星巴克": "starbucks",
        "万科": "vanke",
        "大众": "volkswagen",
        "大众汽车": "volkswagen",
        "vw": "volkswagen",
        "雷克萨斯": "lexus",
        "快乐购": "happigo",
    }
    item_feedback = {
        ("F", "volkswagen"): "F is the link under the two channels of holding customer resources; Volkswagen "
        "(Europe) illustrates the firm's internal management needs.",
        ("E", "lexus"): "E is the internal need (departments without shared customer information): the "
        "Volkswagen (Europe) link.",
        ("G", "salesforce"): "G is the link under the process of direct marketing: Happigo (快乐购).",
    }
    hints = [
        "A, B and C are the three cases of 《客户关系管理策略》: recommendations, an ID system, an app.",
        "The textbook links Happigo (快乐购) to direct marketing, Lexus (雷克萨斯汽车) to working with dealers and "
        "Volkswagen (Europe) to internal needs.",
    ]
    solution_text = (
        "A Amazon, B Apple (Apple ID), C Starbucks (its app). The textbook links Vanke to customer-centred "
        "management, Volkswagen (Europe) to internal management needs, Lexus (USA) to holding customer "
        "resources with dealers, Happigo to direct marketing, and Salesforce's SaaS model, with Google, "
        "Facebook and Twitter, to user-centredness. The slides give only these links, not the cases' text."
    )
    solution_code = (
        'cases = {"A": "amazon", "B": "apple", "C": "starbucks", "D": "vanke", "E": "volkswagen", '
        '"F": "lexus", "G": "happigo", "H": "salesforce"}'
    )
    wrong_examples = [
        (
            'cases = {"A": "amazon", "B": "apple", "C": "starbucks", "D": "vanke", "E": "lexus", '
            '"F": "volkswagen", "G": "happigo", "H": "salesforce"}',
            "internal need",
        ),
        ('cases = ["amazon", "apple", "starbucks"]', "should have 8 labels"),
    ]


class NameTheIdea(MatchingQuestion):
    statement = """Which idea of the chapter does each situation show? Use each label once: `'B2B'`, `'B2C'`,
`'extensive'` (粗放型经营), `'intensive'` (精细型经营), `'online'` (online marketing, 网络营销),
`'multichannel'` (整合多渠道营销), `'maintenance'` (relationship maintenance, 客户关系的保养), `'adaptability'`
(technological adaptability, 技术适应性), `'trends'` (future trends) and `'failure'` (why CRM projects fail).

- **A** A packaging maker sells to 40 food companies; its CRM tracks each account's buyers and open deals.
- **B** A coffee chain keeps the records of two million individual members.
- **C** Marketing is planned from experience and last year's figures, for a broad audience; nobody links
  its cost to the response it brings.
- **D** Each campaign goes to chosen customers, and its cost per response is measured and compared.
- **E** The firm reaches customers through its website, e-mail newsletters and social-media accounts.
- **F** Shops, phone, website and app are combined, and every contact, online or offline, ends in one record.
- **G** After each meeting the account manager confirms in writing what was agreed; any extra cost is agreed
  with the client before work goes on.
- **H** The firm upgrades its CRM system as its customers move to mobile apps.
- **I** A chatbot answers routine questions and the system sends offers automatically from real-time data.
- **J** The firm installs a CRM package, changes no process and builds no customer-centred culture; a year
  later nobody uses it.

Answer with a dict."""
    template = (
        'ideas = {"A": ____, "B": ____, "C": ____, "D": ____, "E": ____,\n'
        '         "F": ____, "G": ____, "H": ____, "I": ____, "J": ____}'
    )
    variables = ["ideas"]
    setup_code = SETUP
    answers = {
        "A": "b2b",
        "B": "b2c",
        "C": "extensive",
        "D": "intensive",
        "E": "online",
        "F": "multichannel",
        "G": "maintenance",
        "H": "adaptability",
        "I": "trends",
        "J": "failure",
    }
    synonyms = {
        "b2b crm": "b2b",
        "b2c crm": "b2c",
        "粗放型经营": "extensive",
        "精细型经营": "intensive",
        "online marketing": "online",
        "网络营销": "online",
        "multichannel marketing": "multichannel",
        "relationship maintenance": "maintenance",
        "technological adaptability": "adaptability",
        "future trends": "trends",
        "future trend": "trends",
    }
    item_feedback = {
        ("E", "multichannel"): "E uses online channels only; multichannel marketing integrates online and "
        "offline channels (F).",
        ("F", "online"): "F combines offline channels (shops, phone) with online ones: integrated "
        "multichannel marketing.",
        ("C", "intensive"): "C spreads money by habit without linking cost to response: extensive (粗放型) "
        "management.",
        ("H", "trends"): "H keeps the existing system up to date with customers' habits: technological "
        "adaptability, one of the challenges in 《客户关系管理策略》.",
        ("I", "adaptability"): "I names AI and automation, the article's future trends.",
        ("B", "b2b"): "B's customers are individual people: B2C CRM.",
    }
    hints = [
        "Pairs to tell apart: B2B/B2C (who the customer is), extensive/intensive (is cost linked to response?), "
        "online/multichannel (online only, or online and offline combined), adaptability/trends (keeping up, "
        "or what is coming).",
        "G is one of the four maintenance practices in 《crm名词解释》; J is what 《市场营销客户关系管理》 warns "
        "about.",
    ]
    solution_text = (
        "A B2B, B B2C, C extensive, D intensive, E online marketing, F integrated multichannel marketing, G "
        "relationship maintenance (clear communication, costs agreed in advance), H technological "
        "adaptability, I future trends (AI, automation, real-time data), J a failing project (software "
        "without organisational and process change)."
    )
    solution_code = (
        'ideas = {"A": "B2B", "B": "B2C", "C": "extensive", "D": "intensive", "E": "online",\n'
        '         "F": "multichannel", "G": "maintenance", "H": "adaptability", "I": "trends", "J": "failure"}'
    )
    wrong_examples = [
        (
            'ideas = {"A": "B2B", "B": "B2C", "C": "extensive", "D": "intensive", "E": "multichannel",\n'
            '         "F": "online", "G": "maintenance", "H": "adaptability", "I": "trends", "J": "failure"}',
            "online channels only",
        ),
        (
            'ideas = {"A": "B2B", "B": "B2C", "C": "intensive", "D": "extensive", "E": "online",\n'
            '         "F": "multichannel", "G": "maintenance", "H": "adaptability", "I": "trends", '
            '"J": "failure"}',
            "粗放型",
        ),
    ]


q1 = Functions("Question 1 (marketing, sales and service)")
q2 = Staffing("Question 2 (staffing a service line)")
q3 = PipelineForecast("Question 3 (weighted pipeline value)")
q4 = Elements("Question 4 (people, technology, process, data)")
q5 = Steps("Question 5 (five implementation steps)")
q6 = Consent("Question 6 (what a consent covers)")
q7 = Cases("Question 7 (the cases)")
q8 = NameTheIdea("Question 8 (name the idea)")
QUESTIONS = [q1, q2, q3, q4, q5, q6, q7, q8]

__all__ = [
    "CALLS_PER_HOUR",
    "HANDLE_MINUTES",
    "STAGES",
    "TARGET_LEVEL",
    "TARGET_SECONDS",
    "closed_deals",
    "crm",
    "open_deals",
    "pd",
    "____",
    *[f"q{i}" for i in range(1, len(QUESTIONS) + 1)],
]
