"""The wording each service page starts with, until an administrator changes it.

Words in [square brackets] are for the organisation running the service to fill in.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DefaultPage:
    slug: str
    link_text: str
    title: str
    body: str


ACCESSIBILITY = """\
This accessibility statement applies to Co-production Panels, the service [organisation name] \
uses to keep a register of people with lived experience and to run co-production panels.

This website is run by [organisation name]. We want as many people as possible to be able to \
use it. For example, that means you should be able to:

- change colours, contrast levels and fonts using browser or device settings
- zoom in up to 400% without the text spilling off the screen
- use the whole website with a keyboard alone
- use most of the website with speech recognition software
- listen to most of the website using a screen reader

We have also made the text as simple as we can.

[AbilityNet](https://mcmw.abilitynet.org.uk/) has advice on making your device easier to use \
if you have a disability.

## How accessible this website is

We know some parts of this website are not fully accessible:

- wide tables, such as the audit log, scroll sideways inside their own area on small screens
- the problems found in an imported spreadsheet name its columns by their short names, such \
as date_of_birth
- there is no Easy Read version of these pages or of the consent wording yet
- it has not yet been tested by disabled people using the service, or by an independent \
accessibility auditor

## Feedback and contact information

If you need information on this website in a different format, such as Easy Read, large \
print, audio, braille or British Sign Language, [contact us](/contact). We will consider \
your request and get back to you in [number] working days.

## Reporting accessibility problems with this website

We are always looking to improve the accessibility of this website. If you find any problems \
not listed on this page or think we are not meeting accessibility requirements, \
[contact us](/contact).

## Enforcement procedure

The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public \
Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018 (the \
accessibility regulations). If you are not happy with how we respond to your complaint, \
contact the [Equality Advisory and Support Service (EASS)](https://www.equalityadvisoryservice.com/).

## Technical information about this website's accessibility

[Organisation name] is committed to making its website accessible, in accordance with the \
Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018.

### Compliance status

This website is partially compliant with the Web Content Accessibility Guidelines version \
2.2 AA standard, because of the problems listed under "How accessible this website is" and \
because it has not yet had a full audit.

## How we tested this website

Every change to the service is tested automatically before it is released:

- each page is checked in a real web browser with axe-core against the WCAG 2.2 A and AA rules
- we check that pages can be used with a keyboard alone, and that focus moves to the right \
place, for example from an error message to the question to fix
- we check that pages do not scroll sideways at 320 CSS pixels wide (the same as 400% zoom)

Automated tests find only some problems. [Organisation name] should arrange a full audit \
and testing with disabled people, and update this statement.

## What we are doing to improve accessibility

We fix the problems listed above as we build the service, and we test every new page in \
the same way.

This statement was prepared on [date]. It was last reviewed on [date].
"""

PRIVACY = """\
This notice explains what information Co-production Panels holds about you, why, who can \
see it, how long it is kept and what your rights are.

## Who we are

[Organisation name] is the data controller for the information in this service. Our data \
protection officer is [name], [email address].

## What we hold about you

- your name, contact details, date of birth and how you would like us to contact you
- whether you are active on the register, and the panels you have been part of
- what you have agreed to, when and how you told us, and the words you agreed to
- the help you need to take part (communication and access needs), if you agree to us \
keeping it
- your answers to the equality questions, if you choose to answer them

Some of this is special category information under data protection law, which needs \
extra protection:

- your ethnic group
- your religion or belief
- your sexual orientation
- your health, including disability, impairments and the care and support you receive
- your communication and access needs, which can reveal your health

We also treat your sex and gender identity, and whether you are an unpaid carer, with the \
same care.

## Why we hold it, and our lawful basis

We use it to invite you to take part in co-production, to choose panels that reflect the \
people our services support, to arrange the help you need, and to check who is and is not \
being heard.

Our lawful bases are to be confirmed by [organisation name] with its data protection \
officer before the service is used. They are likely to be:

- for your contact details: [public task (UK GDPR Article 6(1)(e)) or consent (Article 6(1)(a))]
- for special category information: [your explicit consent (UK GDPR Article 9(2)(a))]

## Your consent

You give or refuse consent separately for four things: contacting you about opportunities, \
using your equality information to choose panels, using it in anonymous statistics, and \
keeping a record of your access needs. You can change your mind at any time, and it takes \
effect at once. If you withdraw consent to keep your access needs, we delete them.

## Who can see it

- engagement leads, who choose panels and arrange support, see your details, equality \
information and access needs
- managers see numbers only, never who you are, and small numbers are hidden
- administrators manage accounts and read the audit log

Every time someone views your equality information or access needs, or exports the \
register, it is recorded in an audit log.

## How long we keep it

We keep your information while you are on the register and for [retention period] after \
you leave. We keep records of your consent for [retention period] as evidence of what you \
agreed to. [Organisation name] sets these periods in its retention schedule.

## Your rights

You have the right to:

- ask for a copy of the information we hold about you
- ask us to correct it
- ask us to delete it
- ask us to limit how we use it, or object to how we use it
- withdraw your consent at any time

To use any of these rights, [contact us](/contact).

You can complain to the [Information Commissioner's Office](https://ico.org.uk/make-a-complaint/) \
if you are unhappy with how we have used your information. Their helpline is \
[0303 123 1113](tel:03031231113).
"""

CONTACT = """\
Contact the co-production team at [organisation name] if you:

- need help to take part, or want information in a different format
- want to change your details or what you have agreed to
- have found a problem with this website, including an accessibility problem
- want to ask about your information or use your data protection rights

## Email

[email address]

We aim to reply within [number] working days.

## Phone

[phone number]

[Opening hours, for example Monday to Friday, 9am to 5pm]

If you are deaf or hard of hearing, you can [how to contact you: for example text relay or \
a BSL video relay service].

## Post

[Team name]
[Address]
[Postcode]
"""

DEFAULT_PAGES: dict[str, DefaultPage] = {
    page.slug: page
    for page in (
        DefaultPage(
            "accessibility", "Accessibility statement", "Accessibility statement", ACCESSIBILITY
        ),
        DefaultPage("privacy", "Privacy notice", "Privacy notice", PRIVACY),
        DefaultPage("contact", "Contact us", "Contact us", CONTACT),
    )
}
"""The service pages, in the order the footer links to them."""
