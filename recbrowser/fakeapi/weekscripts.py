"""What the demo's week is made of: the kinds of call (agent, direction, status, summary and
transcript script), their counts, and the customers, streets and slots they mention."""

from __future__ import annotations

from dataclasses import dataclass

from recbrowser.fakeapi.samples import BILLING, FRONT_DESK, SUPPORT

APPOINTMENTS = ("e5f4a3b2-9c8d-4e7f-a6b5-3c4d5e6f7a8b", "Appointments")
AFTER_HOURS = ("f6a5b4c3-0d9e-4f8a-b7c6-4d5e6f7a8b9c", "After Hours")

CUSTOMERS = (
    ("Maria Lopez", "+14155550123"),
    ("James Chen", "+14155550131"),
    ("Priya Natarajan", "+14155550138"),
    ("Tom Becker", "+14155550142"),
    ("Aisha Okafor", "+14155550147"),
    ("Daniel Kim", "+14155550153"),
    ("Sofia Rossi", "+14155550159"),
    ("Liam O'Brien", "+14155550164"),
    ("Emma Schulz", "+14155550170"),
    ("Noah Williams", "+14155550176"),
    ("Hannah Cohen", "+14155550181"),
    ("Lucas Martin", "+14155550187"),
    ("Olivia Brown", "+442079460958"),
    ("Ravi Patel", "+442079460412"),
    ("Chloe Dubois", "+14155550193"),
)
STREETS = ("Harbor Street", "Pine Avenue", "Mission Road", "Oak Lane", "Bay View Drive", "Elm Court")
SLOTS = ("9 am", "10:30 am", "noon", "2 pm", "3:30 pm", "4 pm")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")

Turns = tuple[tuple[str, str], ...]
"""(who, what): who is ``agent`` or ``customer``."""


@dataclass(frozen=True)
class Kind:
    """One kind of call the week is made of: who takes it, how it ends, what was said."""

    key: str
    agent: tuple[str, str]
    direction: str
    status: str
    sentiment: str | None
    seconds: tuple[int, int]
    summary: str | None
    turns: Turns
    recording: str = "main"
    """``main`` (one segment), ``conversation`` (the AI agent's livekit recording),
    ``transfer`` (main, consult, conference, back to agent), ``redacted`` or ``none``."""
    evening: bool = False


KINDS: tuple[tuple[Kind, int], ...] = (
    (
        Kind(
            "install",
            FRONT_DESK,
            "inbound",
            "completed",
            "positive",
            (150, 330),
            "{name} booked a technician visit on {day} at {slot} to install fibre at {street}.",
            (
                ("agent", "Thanks for calling Bayside Internet, this is the front desk. How can I help?"),
                ("customer", "Hi, I signed up for fibre last week and I'd like to book the installation."),
                ("agent", "Of course. Can I have the address for the installation?"),
                ("customer", "It's 14 {street}."),
                ("agent", "Thanks. I have {day} at {slot} or Friday morning. Which works better?"),
                ("customer", "{day} at {slot} is perfect."),
                ("agent", "Booked. The technician will call 30 minutes before arriving. Anything else?"),
                ("customer", "No, that's all. Thank you!"),
            ),
        ),
        3,
    ),
    (
        Kind(
            "hours",
            FRONT_DESK,
            "inbound",
            "answered_by_pat",
            "neutral",
            (20, 70),
            "Caller asked for the store's opening hours on Saturday.",
            (
                ("agent", "Bayside Internet, how can I help you today?"),
                ("customer", "Are you open on Saturday?"),
                ("agent", "Yes, the store on {street} is open from 10 am to 4 pm on Saturdays."),
                ("customer", "Great, thanks."),
            ),
            recording="conversation",
        ),
        3,
    ),
    (
        Kind(
            "move",
            FRONT_DESK,
            "inbound",
            "completed",
            "neutral",
            (180, 420),
            "{name} is moving on the 1st; service transfer to {street} scheduled.",
            (
                ("agent", "Front desk, how can I help?"),
                ("customer", "I'm moving house at the end of the month and want to keep my internet."),
                ("agent", "We can move your service. What's the new address?"),
                ("customer", "22 {street}."),
                ("agent", "Good news, fibre is available there. Shall I schedule the switch for the 1st?"),
                ("customer", "Yes please, in the morning if possible."),
                ("agent", "Done: the 1st, between 8 and 12. You'll get a confirmation by text."),
            ),
        ),
        2,
    ),
    (
        Kind(
            "double-charge",
            BILLING,
            "inbound",
            "completed",
            "negative",
            (200, 540),
            "{name} was charged twice for this month ({amount}); the duplicate will be refunded in 3-5 days.",
            (
                ("agent", "Billing, this is your assistant. What can I do for you?"),
                ("customer", "I've been charged twice this month, {amount} both times."),
                ("agent", "I'm sorry about that. Let me look at your account."),
                ("agent", "I can see the duplicate payment. I've started a refund for {amount}."),
                ("customer", "How long will that take?"),
                ("agent", "Three to five business days, depending on your bank."),
                ("customer", "Okay. Please make sure it doesn't happen again."),
            ),
        ),
        2,
    ),
    (
        Kind(
            "plan-change",
            BILLING,
            "inbound",
            "transferred_to_user",
            "neutral",
            (360, 780),
            "{name} wants a faster plan; transferred to sales, then back to billing to confirm the new price.",
            (
                ("agent", "Billing assistant speaking, how can I help?"),
                ("customer", "I'd like to upgrade to the 1 gigabit plan."),
                ("agent", "Let me bring in a colleague from sales who can go through the options."),
                ("agent", "You're back with billing. Your new plan is {amount} a month from the next bill."),
                ("customer", "Perfect, thanks for sorting that out."),
            ),
            recording="transfer",
        ),
        1,
    ),
    (
        Kind(
            "card-payment",
            BILLING,
            "inbound",
            "completed",
            "neutral",
            (120, 300),
            "{name} paid the overdue balance of {amount} by card; card details redacted from the recording.",
            (
                ("agent", "Billing, how can I help?"),
                ("customer", "I got a reminder about an overdue bill and want to pay it now."),
                ("agent", "The balance is {amount}. I can take a card payment over the phone."),
                ("customer", "(card details redacted)"),
                ("agent", "Thank you, the payment went through. You'll get a receipt by email."),
            ),
            recording="redacted",
        ),
        1,
    ),
    (
        Kind(
            "payment-reminder",
            BILLING,
            "outbound",
            "completed",
            "neutral",
            (60, 150),
            "Reminded {name} about an overdue invoice of {amount}; will pay online this week.",
            (
                ("agent", "Hello, this is the billing assistant from Bayside Internet. Is this {name}?"),
                ("customer", "Speaking."),
                ("agent", "Your invoice of {amount} is two weeks overdue. Would you like to pay now?"),
                ("customer", "I'll pay online this week, I forgot about it."),
                ("agent", "No problem. Thank you, have a good day."),
            ),
        ),
        2,
    ),
    (
        Kind(
            "slow-wifi",
            SUPPORT,
            "inbound",
            "completed",
            "positive",
            (240, 720),
            "Slow Wi-Fi in the evenings; moved the router to channel 36 and speeds are back to normal.",
            (
                ("agent", "Support line, what seems to be the problem?"),
                ("customer", "My Wi-Fi gets really slow every evening."),
                ("agent", "Let me check your line. The connection to the house looks fine."),
                ("agent", "Your router is on a crowded channel. I'll move it to channel 36."),
                ("customer", "Okay, it restarted."),
                ("agent", "Can you run a speed test now?"),
                ("customer", "Wow, 480 megabits. Much better."),
                ("agent", "Great. Call us back if it happens again, ticket {ticket}."),
            ),
        ),
        3,
    ),
    (
        Kind(
            "outage",
            SUPPORT,
            "inbound",
            "completed",
            "negative",
            (90, 240),
            "No internet since the morning: a known outage near {street}; repair expected by 6 pm.",
            (
                ("agent", "Support line, how can I help?"),
                ("customer", "My internet has been down since this morning."),
                ("agent", "I'm sorry. There is a fibre cut near {street} affecting your area."),
                ("customer", "When will it be fixed? I work from home."),
                ("agent", "The crew expects to finish by 6 pm. I'll add a credit for today to your bill."),
                ("customer", "Alright, thank you."),
            ),
        ),
        2,
    ),
    (
        Kind(
            "follow-up",
            SUPPORT,
            "outbound",
            "completed",
            "positive",
            (45, 150),
            "Follow-up on ticket {ticket}: {name} confirms the connection is stable now.",
            (
                ("agent", "Hi {name}, this is the support line following up on ticket {ticket}."),
                ("customer", "Oh hi. Yes, it's been working fine since the fix."),
                ("agent", "Glad to hear it. I'll close the ticket then."),
                ("customer", "Thanks for checking."),
            ),
        ),
        2,
    ),
    (
        Kind(
            "escalation",
            SUPPORT,
            "inbound",
            "transferred_to_user",
            "negative",
            (420, 900),
            "Third call about dropouts; escalated to a network technician, who booked a line check.",
            (
                ("agent", "Support line, how can I help?"),
                ("customer", "This is the third time I'm calling. The connection drops every hour."),
                ("agent", "I'm sorry. I'll transfer you to a network technician right away."),
                ("agent", "You're back with the support line. The technician booked a line check for {day}."),
                ("customer", "Fine. I hope that fixes it."),
            ),
            recording="transfer",
        ),
        1,
    ),
    (
        Kind(
            "confirm-visit",
            APPOINTMENTS,
            "outbound",
            "completed",
            "positive",
            (30, 90),
            "{name} confirmed the technician visit on {day} at {slot}.",
            (
                ("agent", "Hello, this is Bayside Internet calling about your appointment on {day} at {slot}."),
                ("customer", "Yes, that's still fine."),
                ("agent", "Great, it's confirmed. The technician will call when on the way."),
            ),
        ),
        3,
    ),
    (
        Kind(
            "reschedule",
            APPOINTMENTS,
            "outbound",
            "completed",
            "neutral",
            (60, 180),
            "{name} could not make the visit; moved to {day} at {slot}.",
            (
                ("agent", "Hello, this is Bayside Internet calling to confirm your technician visit tomorrow."),
                ("customer", "Actually, I can't be home tomorrow. Can we move it?"),
                ("agent", "Sure. I have {day} at {slot}."),
                ("customer", "That works."),
                ("agent", "Moved. You'll get a new confirmation by text."),
            ),
        ),
        2,
    ),
    (
        Kind(
            "machine",
            APPOINTMENTS,
            "outbound",
            "outbound_machine_detected",
            None,
            (20, 40),
            "Answering machine: left a message about the visit on {day}.",
            (
                ("agent", "Hello, this is Bayside Internet with a reminder about your technician visit on {day}."),
                ("agent", "Please call us back if you need to change it. Thank you."),
            ),
        ),
        1,
    ),
    (
        Kind(
            "evening-voicemail",
            AFTER_HOURS,
            "inbound",
            "voicemail",
            "neutral",
            (30, 80),
            "Voicemail after hours: {name} asks for a call back about the bill.",
            (
                ("agent", "You've reached Bayside Internet after hours. Please leave a message."),
                ("customer", "Hi, it's {name}. I have a question about my last bill. Please call me back."),
            ),
            evening=True,
        ),
        2,
    ),
    (
        Kind(
            "evening-outage",
            AFTER_HOURS,
            "inbound",
            "answered_by_pat",
            "negative",
            (60, 200),
            "Evening outage reported by {name}; ticket {ticket} opened for the morning crew.",
            (
                ("agent", "Bayside Internet after-hours line. How can I help?"),
                ("customer", "My internet just went out completely."),
                ("agent", "I'm sorry. Have you tried restarting the router?"),
                ("customer", "Twice. The fibre light is red."),
                ("agent", "That points to the line. I've opened ticket {ticket}; the crew starts at 8 am."),
            ),
            recording="conversation",
            evening=True,
        ),
        2,
    ),
    (
        Kind(
            "hung-up",
            FRONT_DESK,
            "inbound",
            "Caller Hungup",
            None,
            (20, 35),
            "Caller hung up before saying what they needed.",
            (
                ("agent", "Thanks for calling Bayside Internet, how can I help?"),
                ("customer", "Oh, sorry, wrong button."),
            ),
            recording="none",
        ),
        1,
    ),
    (
        Kind(
            "not-recorded",
            SUPPORT,
            "inbound",
            "completed",
            "neutral",
            (60, 240),
            "{name} asked not to be recorded; question about the router's parental controls answered.",
            (
                ("agent", "Support line. This call may be recorded."),
                ("customer", "I'd rather it wasn't, please."),
                ("agent", "Understood, recording is off. What can I help with?"),
                ("customer", "How do I set up parental controls on the router?"),
                ("agent", "In the app, under Devices, choose a device and set a schedule."),
            ),
            recording="none",
        ),
        2,
    ),
    (Kind("no-answer", APPOINTMENTS, "outbound", "no-answer", None, (0, 0), None, (), recording="none"), 3),
    (Kind("busy", BILLING, "outbound", "busy", None, (0, 0), None, (), recording="none"), 1),
    (Kind("failed", SUPPORT, "outbound", "failed", None, (0, 0), None, (), recording="none"), 1),
)
