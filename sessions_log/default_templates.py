"""The forms every scheme starts with (``scheme`` blank, version 1), as plain data.

* The two forms of ``seeds/000…`` word for word, spelling and punctuation as the source has them:
  the "Mentoring template document" (the session record the pair share) and the "Mentee
  reflection template document – post-session" (the mentee's own). The source's header fields
  Date, Mentor, Location and Mentee are the session's own data, not questions.
* The enrolment (baseline) and end-of-programme surveys from ``seeds/003…``'s appendices 1 and 3,
  as close to their wording as a product for every scheme allows ("the mentoring pilot" becomes
  "the mentoring programme"; obvious typos are mended), with their branches as ``show_if``.
* The others, which have no source text, written from the documents' descriptions: the mentee's
  pre-session template and the mentor's structure template (``004…``), the mentoring agreement
  (``003…``, ``004…``), the development plan agreed on completion (``000…``) and the mentee's
  feedback at the end of a relationship (``002…``).

The data migration ``0002_default_templates`` holds a frozen copy of this list; a test checks
that the database's defaults still match it, so changing a default here needs a migration too.
Every survey and the end-of-mentorship feedback ask ``may_quote``; the feedback also asks
``allow_coordinators_to_read`` — without it coordinators see that mentee's answers only in
aggregate.
"""

SEED_000 = "000_cc058d732393482f.txt"
SEED_002 = "002_68a637afa008d21b.txt"
SEED_003 = "003_268d281201863519.txt"
SEED_004 = "004_9226bee3964ef47c.txt"

MENTOR = ["mentor"]
MENTEE = ["mentee"]
CONFIDENCE_LABELS = {
    "1": "Not at all confident",
    "2": "Not very confident",
    "3": "Neither confident nor unconfident",
    "4": "Quite confident",
    "5": "Confident",
}
SECTORS = [
    "Acute Hospital Settings",
    "Care Homes",
    "Community Health Trusts",
    "Community Pharmacy (including locum pharmacists)",
    "Health and Justice Teams",
    "Integrated Care Board",
    "Mental Health Trusts",
    "Primary Care Teams and GP practices",
    "Substance Misuse services",
    "Academia",
]
HOW_MANY_PEOPLE = ["1 person", "2 people", "3 people", "4 or more people"]
PRESCRIBING_FREQUENCY = ["Daily", "Weekly", "Monthly", "Never"]
SELECT_ALL = "Please select all that apply."
MAY_QUOTE = {
    "key": "may_quote",
    "type": "yes_no",
    "text": "May we quote your free-text answers (anonymously)?",
    "help": "Any published work will remain anonymous: a quote never carries your name.",
    "required": True,
}
SURVEY_THANKS = "Thank you for completing this survey."


def _when(key, *answers):
    return (
        {"key": key, "equals": answers[0]}
        if len(answers) == 1
        else {"key": key, "in": list(answers)}
    )


SESSION_RECORD = {
    "family": "session-record",
    "kind": "session_record",
    "title": "Mentoring template document",
    "introduction": "",
    "closing_note": "",
    "readers": "pair",
    "source": f"seeds/{SEED_000} (NHS England, mentorship for PA preceptees): "
    "“Mentoring template document”, word for word",
    "questions": [
        {
            "key": "planned_agenda",
            "type": "long_text",
            "text": "Planned agenda",
            "help": "The issues/events that you would like to focus on at this meeting.",
            "required": True,
        },
        {
            "key": "since_last_session",
            "type": "long_text",
            "text": "What has happened since the last session?",
            "help": "Has there been any key developments i.e. new insights or learning; new "
            "issues or decisions that have arisen?",
        },
        {
            "key": "progress_on_last_agenda",
            "type": "long_text",
            "text": "Reflecting on the last sessions agenda how have you moved forward?",
            "help": "Look at the last sessions agenda. How have you progressed with your previous "
            "goals. Any successes? Any barriers encountered?",
        },
        {
            "key": "issues_for_action",
            "type": "long_text",
            "text": "What issues for action have been identified this session?",
            "help": "Where are you stuck? Have your goals shifted? How can you move forward? "
            "Where do you need your mentors input?",
            "required": True,
        },
    ],
}

POST_SESSION_REFLECTION = {
    "family": "post-session-reflection",
    "kind": "post_session",
    "title": "Mentee reflection template document – post-session",
    "introduction": "",
    "closing_note": "Once completed keep this form safe for future reflection, you might like to "
    "share this form with your mentor.",
    "readers": "author",
    "source": f"seeds/{SEED_000} (NHS England, mentorship for PA preceptees): "
    "“Mentee reflection template document – post-session”, word for word",
    "questions": [
        {
            "key": "key_issues",
            "type": "long_text",
            "text": "What are the key issues that arose in this session?",
            "roles": MENTEE,
            "required": True,
        },
        {
            "key": "areas_to_tackle",
            "type": "long_text",
            "text": "What areas/outcomes have you planned to tackle?",
            "help": "What areas have you identified for further development; what actions are you "
            "planning; how will you achieve this and by when.",
            "roles": MENTEE,
        },
        {
            "key": "unexpected_issues",
            "type": "long_text",
            "text": "Did any unexpected issues arise?",
            "help": "Did you find these issues challenging? How did the session make you feel? "
            "Why?",
            "roles": MENTEE,
        },
    ],
}

PRE_SESSION_AGENDA = {
    "family": "pre-session-agenda",
    "kind": "pre_session",
    "title": "Before your mentoring session",
    "introduction": "Take a few minutes before your session to think about what you want to "
    "discuss, so that you bring a plan to the meeting. This is yours: your mentor sees it only "
    "if you share it.",
    "closing_note": "",
    "readers": "author",
    "source": f"seeds/{SEED_004} (pharmacy mentoring case studies): a template for the mentee "
    "to complete before the session, to think about what they want to discuss",
    "questions": [
        {
            "key": "what_to_discuss",
            "type": "long_text",
            "text": "What would you like to discuss with your mentor at this session?",
            "roles": MENTEE,
            "required": True,
        },
        {
            "key": "topics",
            "type": "multiple_choice",
            "text": "Which of these does it touch on?",
            "help": SELECT_ALL,
            "choices": [
                "Career advice and development",
                "My clinical or prescribing practice",
                "A complex case or an ethical dilemma",
                "My portfolio, study or assessments",
                "Managing my workload alongside work and study",
                "Working with my team and organisation",
            ],
            "other": True,
            "roles": MENTEE,
        },
        {
            "key": "progress_since_last",
            "type": "long_text",
            "text": "What has happened since your last session, and how did the actions you "
            "agreed go?",
            "roles": MENTEE,
        },
        {
            "key": "hoped_outcome",
            "type": "long_text",
            "text": "What would you like to come away with?",
            "help": "For example a decision, a plan, a contact, or a resource to look at.",
            "roles": MENTEE,
        },
    ],
}

MENTOR_STRUCTURE = {
    "family": "mentor-structure",
    "kind": "mentor_structure",
    "title": "Structuring the mentoring conversation",
    "introduction": "A guide for you, the mentor, to structure the conversation and keep a record "
    "of what your mentee set out to achieve. It is yours alone.",
    "closing_note": "",
    "readers": "author",
    "source": f"seeds/{SEED_004} (pharmacy mentoring case studies): a template for the mentor "
    "to help them structure the conversation",
    "questions": [
        {
            "key": "check_in",
            "type": "long_text",
            "text": "Check in: how is your mentee, and what has happened since you last met?",
            "roles": MENTOR,
        },
        {
            "key": "mentee_wants",
            "type": "long_text",
            "text": "What is your mentee looking for from this session?",
            "help": "Start from their agenda: it is important to know what mentees are looking "
            "for and what they want.",
            "roles": MENTOR,
            "required": True,
        },
        {
            "key": "progress_review",
            "type": "long_text",
            "text": "What have they achieved of what they set out to achieve?",
            "roles": MENTOR,
        },
        {
            "key": "discussion",
            "type": "long_text",
            "text": "The questions you explored and the options you discussed",
            "roles": MENTOR,
        },
        {
            "key": "signposting",
            "type": "long_text",
            "text": "Resources, networks or people you signposted them to",
            "roles": MENTOR,
        },
        {
            "key": "agreed_actions",
            "type": "long_text",
            "text": "Actions agreed, who will do them and by when",
            "roles": MENTOR,
            "required": True,
        },
        {
            "key": "next_meeting",
            "type": "date",
            "text": "When you will next meet",
            "roles": MENTOR,
        },
    ],
}

MENTORING_AGREEMENT = {
    "family": "mentoring-agreement",
    "kind": "agreement",
    "title": "Mentoring agreement (ground rules)",
    "introduction": "Agree these together at your first meeting: a contract and clear ground "
    "rules give your sessions a structure, set out what each of you can expect, and make clear "
    "what stays confidential.",
    "closing_note": "You can review and change this agreement together at any time.",
    "readers": "pair",
    "source": f"seeds/{SEED_003} (mentoring contract and ground rules at the first meeting) and "
    f"seeds/{SEED_004} (ground rules, confidentiality)",
    "questions": [
        {
            "key": "objectives",
            "type": "long_text",
            "text": "What does the mentee want to achieve from this mentoring?",
            "help": "Practical and attainable objectives for the relationship.",
            "required": True,
        },
        {
            "key": "mentor_role",
            "type": "long_text",
            "text": "What the mentee can expect from the mentor and from the sessions",
            "required": True,
        },
        {
            "key": "mentee_role",
            "type": "long_text",
            "text": "What the mentee will do to get the most out of the sessions",
            "required": True,
        },
        {
            "key": "confidentiality",
            "type": "long_text",
            "text": "Confidentiality: what may be shared outside the sessions, and with whom",
            "help": "What you discuss stays between you unless you agree otherwise here.",
            "required": True,
        },
        {
            "key": "notes_kept",
            "type": "single_choice",
            "text": "Will notes be kept of your sessions?",
            "choices": [
                "No notes are kept",
                "The mentee keeps notes",
                "The mentor keeps notes",
                "Both keep notes",
            ],
            "required": True,
        },
        {
            "key": "meeting_frequency",
            "type": "text",
            "text": "How often you will meet, and for how long",
            "help": "For example, one hour every four weeks.",
            "required": True,
        },
        {
            "key": "meeting_modes",
            "type": "multiple_choice",
            "text": "How you will meet",
            "choices": ["In person", "Video call", "Phone"],
            "required": True,
        },
        {
            "key": "contact_and_rearranging",
            "type": "long_text",
            "text": "How to get in touch between sessions, and how to rearrange a session",
        },
        {
            "key": "ending",
            "type": "long_text",
            "text": "How either of you can end the mentoring or ask for a change",
            "help": "Either of you may end the mentoring without fault; a mentee may ask the "
            "scheme for a different mentor in confidence.",
        },
        {
            "key": "review_on",
            "type": "date",
            "text": "When you will review this agreement",
        },
        {
            "key": "agreed",
            "type": "yes_no",
            "text": "We have both read this agreement and agree to it",
            "required": True,
        },
    ],
}

BASELINE_SURVEY = {
    "family": "baseline-survey",
    "kind": "baseline_survey",
    "title": "Enrolment survey",
    "introduction": "This short questionnaire identifies your scope of practice, sector and "
    "previous mentoring experience to aid pairing, and gives the baseline for the scheme's "
    "evaluation. It should take no longer than 5 mins to complete. Coordinators see the "
    "answers only in aggregate.",
    "closing_note": SURVEY_THANKS,
    "readers": "coordinators_aggregate",
    "source": f"seeds/{SEED_003} (Pharmacist IP mentoring pilot report), Appendix 1: "
    "the mentors' and mentees' enrolment surveys",
    "questions": [
        {
            "key": "region",
            "type": "single_choice",
            "text": "Which region do you work in?",
            "choices": ["London", "Kent", "Surrey", "Sussex"],
            "other": True,
            "required": True,
        },
        {
            "key": "scope_of_practice",
            "type": "text",
            "text": "Please indicate your scope of prescribing practice",
            "required": True,
        },
        {
            "key": "sectors",
            "type": "multiple_choice",
            "text": "Please indicate the sector(s) you work in",
            "help": "Tick all that apply",
            "choices": SECTORS,
            "other": True,
            "required": True,
        },
        {
            "key": "prescribing_frequency",
            "type": "single_choice",
            "text": "How often do you use your prescribing skills?",
            "choices": PRESCRIBING_FREQUENCY,
            "roles": MENTEE,
            "required": True,
        },
        {
            "key": "ip_qualification_year",
            "type": "text",
            "text": "What year did you complete the IP qualification?",
            "roles": MENTEE,
            "required": True,
        },
        {
            "key": "prescribing_confidence",
            "type": "scale",
            "text": "On a scale of 1-5, how confident do you feel in prescribing?",
            "min": 1,
            "max": 5,
            "labels": CONFIDENCE_LABELS,
            "roles": MENTEE,
            "required": True,
        },
        {
            "key": "been_mentor",
            "type": "yes_no",
            "text": "Are you currently and/or have ever been a mentor?",
            "required": True,
        },
        {
            "key": "people_mentored",
            "type": "single_choice",
            "text": "How many people have you mentored?",
            "choices": HOW_MANY_PEOPLE,
            "show_if": _when("been_mentor", "yes"),
            "required": True,
        },
        {
            "key": "currently_mentee",
            "type": "yes_no",
            "text": "Are you currently a mentee?",
            "required": True,
        },
        {
            "key": "mentors_had",
            "type": "single_choice",
            "text": "How many people have you had as a mentor?",
            "choices": HOW_MANY_PEOPLE,
            "show_if": _when("currently_mentee", "yes"),
            "required": True,
        },
        {
            "key": "mentoring_confidence",
            "type": "scale",
            "text": "On a scale of 1-5, how confident do you feel as a mentor?",
            "min": 1,
            "max": 5,
            "labels": CONFIDENCE_LABELS,
            "roles": MENTOR,
            "required": True,
        },
        {
            "key": "platforms_used",
            "type": "multiple_choice",
            "text": "Please indicate which mentoring platform(s) you have used, if any.",
            "help": SELECT_ALL,
            "choices": [
                "None",
                "Pharmacy department mentoring platform",
                "Trust mentoring platform",
                "RPS mentoring platform",
                "South East Leadership Academy",
            ],
            "other": True,
        },
        {
            "key": "training_used",
            "type": "multiple_choice",
            "text": "Have you completed any training or used any resources to support your role "
            "as a mentor?",
            "help": SELECT_ALL,
            "choices": [
                "None",
                "Pharmacy department mentoring platform",
                "Trust mentoring platform",
                "RPS mentor platform resources",
                "RPS mentor webinars",
                "South East Leadership academy resources",
            ],
            "other": True,
        },
        {
            "key": "introduction_wishes",
            "type": "long_text",
            "text": "What would you find most beneficial to be included in the introduction to "
            "mentoring session?",
        },
        MAY_QUOTE,
    ],
}

IS_MENTEE = _when("role", "Mentee")
IS_MENTOR = _when("role", "Mentor")

END_SURVEY = {
    "family": "end-survey",
    "kind": "end_survey",
    "title": "End-of-programme evaluation survey",
    "introduction": "Thank you for taking part. This survey asks how the programme went for you; "
    "coordinators see the answers only in aggregate.",
    "closing_note": SURVEY_THANKS,
    "readers": "coordinators_aggregate",
    "source": f"seeds/{SEED_003} (Pharmacist IP mentoring pilot report), Appendix 3: "
    "the evaluation survey",
    "questions": [
        {
            "key": "role",
            "type": "single_choice",
            "text": "Please state whether you are a mentor or mentee",
            "choices": ["Mentee", "Mentor"],
            "required": True,
        },
        # Questions for mentees (the source: "Mentee – continue to question 2").
        {
            "key": "registered_ip",
            "type": "yes_no",
            "text": "Are you currently registered as an independent prescriber with the GPhC?",
            "show_if": IS_MENTEE,
            "required": True,
        },
        {
            "key": "prescribing_frequency",
            "type": "single_choice",
            "text": "How often do you use your prescribing skills after completing the "
            "mentoring programme?",
            "choices": PRESCRIBING_FREQUENCY,
            "other": True,
            "show_if": IS_MENTEE,
            "required": True,
        },
        {
            "key": "prescribing_confidence",
            "type": "scale",
            "text": "On a scale of 1-5, how confident do you feel in prescribing after "
            "completing the mentoring programme?",
            "min": 1,
            "max": 5,
            "labels": CONFIDENCE_LABELS,
            "show_if": IS_MENTEE,
            "required": True,
        },
        {
            "key": "recommend_having_mentor",
            "type": "yes_no",
            "text": "Would you recommend having an experienced independent prescribing mentor to "
            "colleagues?",
            "show_if": IS_MENTEE,
            "required": True,
        },
        {
            "key": "recommend_having_mentor_why",
            "type": "long_text",
            "text": "Why?",
            "show_if": _when("recommend_having_mentor", "yes", "no"),
        },
        # Questions for mentors (the source: "Mentor – go to question 6").
        {
            "key": "mentoring_confidence",
            "type": "scale",
            "text": "On a scale of 1 to 5, how confident do you feel as a mentor after "
            "completing the mentoring programme?",
            "min": 1,
            "max": 5,
            "labels": CONFIDENCE_LABELS,
            "show_if": IS_MENTOR,
            "required": True,
        },
        {
            "key": "recommend_being_mentor",
            "type": "yes_no",
            "text": "Would you recommend being an independent prescribing mentor to colleagues?",
            "show_if": IS_MENTOR,
            "required": True,
        },
        {
            "key": "is_dpp",
            "type": "yes_no",
            "text": "Are you currently a designated prescribing practitioner (DPP)?",
            "show_if": IS_MENTOR,
            "required": True,
        },
        {
            "key": "considered_dpp",
            "type": "yes_no",
            "text": "Have you considered working towards becoming a DPP since participating in "
            "this programme?",
            "show_if": _when("is_dpp", "no"),
            "required": True,
        },
        {
            "key": "dpp_reasons_not",
            "type": "multiple_choice",
            "text": "If no, please state your reasons",
            "help": "More than one box can be selected.",
            "choices": [
                "Do not feel confident to do this role",
                "Not part of my job description or work plan",
                "Lack of time within current role",
                "Lack of understanding of the DPP role",
            ],
            "other": True,
            "show_if": _when("considered_dpp", "no"),
            "required": True,
        },
        {
            "key": "working_towards_dpp",
            "type": "single_choice",
            "text": "Are you currently working towards becoming a DPP?",
            "choices": [
                "Yes I have considered it but I am not currently working towards becoming a DPP",
                "Yes I have considered it and I am currently working towards becoming a DPP",
            ],
            "show_if": _when("considered_dpp", "yes"),
            "required": True,
        },
        # Questions to both.
        {
            "key": "reasons_for_enrolling",
            "type": "multiple_choice",
            "text": "Why did you initially enrol into this programme?",
            "help": SELECT_ALL,
            "choices": [
                "Increase prescribing confidence",
                "Have access to a more experienced independent prescriber",
                "To develop mentoring skills",
                "To support the development of the future workforce",
                "Continue professional development",
                "Personal interest",
            ],
            "other": True,
            "required": True,
        },
        {
            "key": "used_contract",
            "type": "yes_no",
            "text": "Did you complete a mentoring contract between yourself and your "
            "mentor/mentee?",
            "required": True,
        },
        {
            "key": "contract_beneficial",
            "type": "yes_no",
            "text": "Did you find this beneficial?",
            "show_if": _when("used_contract", "yes"),
            "required": True,
        },
        {
            "key": "contract_beneficial_why",
            "type": "long_text",
            "text": "Why?",
            "show_if": _when("contract_beneficial", "yes", "no"),
        },
        {
            "key": "meetings_held",
            "type": "single_choice",
            "text": "How many times did you meet with your mentor/mentee during the programme?",
            "help": "Excluding any introductory session run by the scheme.",
            "choices": ["Nil", "Once", "Twice", "Three or more"],
            "required": True,
        },
        {
            "key": "meetings_fewer_why",
            "type": "long_text",
            "text": "Please elaborate why you were unable to meet at least twice",
            "show_if": _when("meetings_held", "Nil", "Once"),
            "required": True,
        },
        {
            "key": "meeting_mode",
            "type": "single_choice",
            "text": "How did you conduct these meetings?",
            "choices": ["Virtual", "In person", "Mixed virtual and in person"],
            "show_if": _when("meetings_held", "Once", "Twice", "Three or more"),
            "required": True,
        },
        {
            "key": "resources_used",
            "type": "multiple_choice",
            "text": "Please indicate which mentoring resource(s) you have used, if any, to "
            "support the role of mentor/mentee.",
            "help": SELECT_ALL,
            "choices": [
                "None",
                "Pharmacy department mentoring platform",
                "Trust or organisational mentoring platform",
                "RPS mentoring platform",
                "South East Leadership Academy",
                "CPPE",
            ],
            "other": True,
        },
        {
            "key": "improved_understanding",
            "type": "yes_no",
            "text": "Do you agree with the following statement: “I have an improved "
            "understanding of the role of a mentor since participating in the programme”?",
            "required": True,
        },
        {
            "key": "improved_understanding_why_not",
            "type": "long_text",
            "text": "Why not?",
            "show_if": _when("improved_understanding", "no"),
        },
        {
            "key": "organisational_support",
            "type": "yes_no",
            "text": "Did you receive organisational support for your participation in this "
            "programme?",
            "required": True,
        },
        {
            "key": "support_received",
            "type": "multiple_choice",
            "text": "What support did you receive?",
            "choices": [
                "Protected time",
                "Funding for training",
                "Signposting to additional resources",
                "Incorporation into personal development plan",
            ],
            "other": True,
            "show_if": _when("organisational_support", "yes"),
            "required": True,
        },
        {
            "key": "no_support_reasons",
            "type": "single_choice",
            "text": "Why did you not receive organisational support?",
            "choices": ["Did not inform my organisation", "Support declined by organisation"],
            "other": True,
            "show_if": _when("organisational_support", "no"),
            "required": True,
        },
        {
            "key": "plans_to_continue",
            "type": "single_choice",
            "text": "Are you planning to continue your mentor/mentee arrangement?",
            "choices": ["Yes", "No", "Uncertain"],
            "required": True,
        },
        MAY_QUOTE,
    ],
}

END_FEEDBACK = {
    "family": "end-feedback",
    "kind": "end_feedback",
    "title": "Feedback on your mentoring",
    "introduction": "Your feedback at the end of the mentoring helps the scheme support its "
    "mentors and mentees. Coordinators see it only combined with other mentees' feedback, "
    "unless you say below that they may read yours. Your mentor does not see it.",
    "closing_note": "Thank you for your feedback.",
    "readers": "coordinators_aggregate",
    "source": f"seeds/{SEED_002} (Mentoring for doctors, DH 2004): feedback from mentees at the "
    f"end of their relationship with the mentor; seeds/{SEED_003}: the focus-group questions",
    "questions": [
        {
            "key": "usefulness",
            "type": "scale",
            "text": "Overall, how useful was the mentoring to you?",
            "min": 1,
            "max": 5,
            "labels": {"1": "Not useful", "5": "Very useful"},
            "roles": MENTEE,
            "required": True,
        },
        {
            "key": "achieved_aims",
            "type": "single_choice",
            "text": "Did you achieve what you set out to achieve?",
            "choices": ["Yes, fully", "Partly", "Not at all"],
            "roles": MENTEE,
            "required": True,
        },
        {
            "key": "worked_well",
            "type": "long_text",
            "text": "What worked well with your mentor/mentee relationship?",
            "roles": MENTEE,
        },
        {
            "key": "challenges",
            "type": "long_text",
            "text": "Did you encounter any challenges and if we were to run this again what "
            "would you suggest we do differently?",
            "roles": MENTEE,
        },
        {
            "key": "spoke_openly",
            "type": "yes_no",
            "text": "Did you feel able to talk openly and in confidence?",
            "roles": MENTEE,
            "required": True,
        },
        {
            "key": "met_often_enough",
            "type": "single_choice",
            "text": "Did you meet as often as you needed?",
            "choices": ["Yes", "Not often enough", "More often than I needed"],
            "roles": MENTEE,
        },
        {
            "key": "recommend_mentor",
            "type": "yes_no",
            "text": "Would you recommend your mentor to a colleague?",
            "roles": MENTEE,
            "required": True,
        },
        {
            "key": "allow_coordinators_to_read",
            "type": "yes_no",
            "text": "May the scheme's coordinators read your feedback with your name on it?",
            "help": "If you answer no, coordinators see your answers only combined with other "
            "mentees' answers, never on their own.",
            "roles": MENTEE,
            "required": True,
        },
        {**MAY_QUOTE, "roles": MENTEE},
    ],
}

DEVELOPMENT_PLAN = {
    "family": "development-plan",
    "kind": "development_plan",
    "title": "Future requirements and development plan",
    "introduction": "On completion, future requirements and development plan should be agreed "
    "by the mentee and mentor and will become part of ongoing personal development plan and/or "
    "annual appraisal process.",
    "closing_note": "If further mentorship is required, this is agreed and managed outside of "
    "this scheme.",
    "readers": "pair",
    "source": f"seeds/{SEED_000} (NHS England, mentorship for PA preceptees): future "
    "requirements and development plan agreed on completion",
    "questions": [
        {
            "key": "achievements",
            "type": "long_text",
            "text": "What has the mentee achieved through the mentoring?",
        },
        {
            "key": "future_requirements",
            "type": "long_text",
            "text": "Future requirements",
            "help": "What the mentee still needs: knowledge, skills, experience or support.",
            "required": True,
        },
        {
            "key": "development_plan",
            "type": "long_text",
            "text": "Development plan",
            "help": "The actions, how they will be achieved and by when.",
            "required": True,
        },
        {
            "key": "further_mentorship",
            "type": "yes_no",
            "text": "Is further mentorship required?",
            "required": True,
        },
        {
            "key": "agreed",
            "type": "yes_no",
            "text": "Mentee and mentor have agreed this plan",
            "required": True,
        },
    ],
}

DEFAULTS = [
    SESSION_RECORD,
    POST_SESSION_REFLECTION,
    PRE_SESSION_AGENDA,
    MENTOR_STRUCTURE,
    MENTORING_AGREEMENT,
    BASELINE_SURVEY,
    END_SURVEY,
    END_FEEDBACK,
    DEVELOPMENT_PLAN,
]
SHIPPED_BY = "0002_default_templates"
FIELDS = ("kind", "title", "introduction", "closing_note", "readers", "source", "questions")


def install_missing(form_template_model, defaults=DEFAULTS, using: str = "default") -> int:
    """Create each default whose family has no default version yet; returns how many. Works with
    the real model and a migration's historical one."""
    created = 0
    templates = form_template_model.objects.using(using)
    for default in defaults:
        if templates.filter(family=default["family"], scheme__isnull=True).exists():
            continue
        templates.create(
            family=default["family"],
            scheme=None,
            version=1,
            is_current=True,
            **{field: default[field] for field in FIELDS},
        )
        created += 1
    return created


def install_after_migrate(sender, apps=None, using="default", **kwargs) -> None:
    """post_migrate: put back any missing default — after a test database is flushed, say — so
    every scheme always has a form of each kind. Not before the data migration has run (nor
    once it is reversed)."""
    from django.apps import apps as installed_apps
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    if ("sessions_log", SHIPPED_BY) not in MigrationRecorder(
        connections[using]
    ).applied_migrations():
        return
    try:
        model = (apps or installed_apps).get_model("sessions_log", "FormTemplate")
    except LookupError:
        return
    install_missing(model, using=using)
