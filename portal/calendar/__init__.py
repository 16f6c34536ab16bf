"""The personal calendar feed (iCalendar): check-ins, end-date decisions, visits and tasks in Outlook."""
