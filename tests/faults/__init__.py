"""Faults survived, nothing lost: integration tests against real PostgreSQL, Redis and Celery
worker processes. Each bullet of the issue, and the test that proves it (the ones that already
lived next to their feature stay there):

* The worker is SIGKILLed while rendering a batch of letters; every award still ends with
  exactly one letter, no duplicate emails:
  tests/applications/test_award_letters_worker.py::
  test_a_worker_killed_mid_batch_still_ends_with_exactly_one_letter_per_award
  (one ready letter, one file and one letter-ready email per award across both workers).
* Redis is stopped while awards are made; the awards commit, the letters stay pending, and once
  Redis is back the sweep renders them all (one file, one email per award):
  tests/faults/test_broker_down_awards.py (through the admin's Make awards button and a real
  worker); the same for email: tests/copsgrants/test_worker.py::
  test_email_asked_for_while_redis_was_down_arrives_once_when_it_is_back (beat's own sweep);
  for training certificates: tests/training/test_certificates_worker.py::
  test_the_sweep_renders_a_certificate_whose_enqueue_was_lost.
* The database connection drops in the middle of an MOU approval; the approval fully happens or
  not at all (condition cleared <=> MOU approved), and a re-run completes it:
  tests/faults/test_mou_approval_connection_drop.py (five kill points inside the transaction,
  and one at COMMIT).
* Two staff approve the same drawdown at once:
  tests/faults/test_simultaneous_decisions.py::
  test_two_program_specialists_approving_one_drawdown_at_once_approve_it_once (and an approval
  racing a rejection); two drawdown requests that together pass the federal amount:
  tests/applications/test_implementation_race.py::
  test_simultaneous_drawdowns_never_pass_the_federal_amount.
* Two representatives accept the same award at once:
  tests/faults/test_simultaneous_decisions.py::
  test_two_representatives_giving_the_second_signature_at_once_accept_the_award_once.
* Two requests take the last training seat:
  tests/faults/test_simultaneous_decisions.py::
  test_two_requests_for_the_last_seat_at_once_seat_one_officer_and_waitlist_the_other
  (and 50 requests for 30 seats: tests/training/test_capacity_race.py).
* Related races proven elsewhere: one email sent once by the on-commit task and the sweep
  (tests/copsgrants/test_outbox_race.py), award numbers under simultaneous Make awards
  (tests/applications/test_award_numbers.py), simultaneous MOU uploads
  (tests/mou/test_upload_race.py).

All of them need PostgreSQL (a SQLite database has one writer and no second process can see a
test's rows): they skip without it, and fail instead under COPSGRANTS_REQUIRE_SERVICES=1 (CI).
The ones that start a worker are marked `worker`; each wait has a timeout."""
