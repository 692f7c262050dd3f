//! The governor with simulated clocks and interleavings.

use super::*;
use proptest::prelude::*;

fn policy() -> Policy {
    Policy {
        user: "u@example.cz".into(),
        hourly_limit: 1000,
        domain_check_limit: 100,
        window: 3600.0,
        max_invalid: 10,
        max_auth_failures: 3,
    }
}

fn ask(command: &str, now: f64) -> Ask<'_> {
    Ask { label: "wedos test", command, expires_at: now + 45.0, pid: 1 }
}

fn grant(st: &mut GuardState, p: &Policy, command: &str, now: f64) -> u64 {
    match st.reserve(p, &ask(command, now), now) {
        Admission::Granted(g) => g.ticket,
        other => panic!("not granted: {other:?}"),
    }
}

fn settle(st: &mut GuardState, p: &Policy, ticket: u64, outcome: Outcome, now: f64) {
    st.settle(p, ticket, &Settlement { outcome, command: "ping", message: "", clock: None }, now);
}

fn invalid(code: i64) -> Outcome {
    Outcome::Invalid { code: Some(code), clock_cause: false }
}

#[test]
fn the_hourly_budget_counts_requests_in_flight_and_refunds_those_never_sent() {
    let p = Policy { hourly_limit: 3, window: 60.0, ..policy() };
    let mut st = GuardState::default();
    let a = grant(&mut st, &p, "ping", 100.0);
    settle(&mut st, &p, a, Outcome::Valid, 100.1);
    let b = grant(&mut st, &p, "ping", 100.2);
    let c = grant(&mut st, &p, "ping", 100.3);
    match st.reserve(&p, &ask("ping", 100.4), 100.4) {
        Admission::Refused { error, budget: true } => {
            assert_eq!(error.kind(), ErrorKind::RateLimited);
            let wait = error.retry_after().unwrap().as_secs_f64();
            // The first slice (one second long) leaves the window a minute after it ends.
            assert!((59.0..=61.0).contains(&wait), "{wait}");
        }
        other => panic!("{other:?}"),
    }
    settle(&mut st, &p, b, Outcome::NotSent, 100.5);
    let d = grant(&mut st, &p, "ping", 100.6);
    settle(&mut st, &p, c, Outcome::Valid, 100.7);
    settle(&mut st, &p, d, Outcome::Valid, 100.8);
    assert_eq!(st.requests.count(100.9, 60.0), 3);
    assert_eq!(st.requests.count(162.0, 60.0), 0);
}

#[test]
fn domain_checks_have_their_own_budget() {
    let p = Policy { domain_check_limit: 2, ..policy() };
    let mut st = GuardState::default();
    for t in [1.0, 2.0] {
        let k = grant(&mut st, &p, "domain-check", t);
        settle(&mut st, &p, k, Outcome::Valid, t);
    }
    assert!(matches!(st.reserve(&p, &ask("domain-check", 3.0), 3.0), Admission::Refused { budget: true, .. }));
    grant(&mut st, &p, "ping", 3.0);
}

#[test]
fn requests_in_flight_hold_slots_of_the_invalid_allowance() {
    let p = Policy { max_invalid: 3, ..policy() };
    let mut st = GuardState::default();
    let first = grant(&mut st, &p, "ping", 1.0);
    settle(&mut st, &p, first, Outcome::Valid, 1.0); // the credentials are proven
    let a = grant(&mut st, &p, "dns-row-add", 2.0);
    let b = grant(&mut st, &p, "dns-row-add", 2.0);
    let c = grant(&mut st, &p, "dns-row-add", 2.0);
    assert!(matches!(st.reserve(&p, &ask("ping", 2.0), 2.0), Admission::Busy { .. }));
    settle(&mut st, &p, a, invalid(2314), 3.0);
    assert!(matches!(st.reserve(&p, &ask("ping", 3.0), 3.0), Admission::Busy { .. }), "1 invalid + 2 in flight");
    settle(&mut st, &p, b, Outcome::Valid, 3.0);
    let d = grant(&mut st, &p, "ping", 3.0);
    settle(&mut st, &p, c, invalid(2314), 4.0);
    settle(&mut st, &p, d, invalid(2314), 4.0);
    match st.reserve(&p, &ask("ping", 5.0), 5.0) {
        Admission::Refused { error, budget: false } => {
            let m = error.message();
            assert!(m.contains("3 invalid requests") && m.contains("3 bad input"), "{m}");
            assert!(m.contains("guard reset"), "{m}");
        }
        other => panic!("{other:?}"),
    }
    // An hour after the first of them, one slot is free again.
    grant(&mut st, &p, "ping", 3.0 + 3600.0);
}

#[test]
fn until_the_credentials_are_proven_only_the_auth_allowance_flies() {
    let p = policy();
    let mut st = GuardState::default();
    let t: Vec<u64> = (0..3).map(|_| grant(&mut st, &p, "ping", 1.0)).collect();
    assert!(matches!(st.reserve(&p, &ask("ping", 1.0), 1.0), Admission::Busy { .. }));
    settle(&mut st, &p, t[0], invalid(2050), 2.0);
    settle(&mut st, &p, t[1], invalid(2050), 2.0);
    settle(&mut st, &p, t[2], invalid(2050), 2.0);
    match st.reserve(&p, &ask("ping", 3.0), 3.0) {
        Admission::Refused { error, budget: false } => {
            assert_eq!(error.kind(), ErrorKind::Authentication);
            assert!(error.message().contains("3 authentication/IP failures in a row"), "{}", error.message());
        }
        other => panic!("{other:?}"),
    }
    st.reset(Reset::Guard);
    let k = grant(&mut st, &p, "ping", 4.0);
    settle(&mut st, &p, k, invalid(2314), 4.5); // past authentication: proven
    let many: Vec<u64> = (0..9).map(|_| grant(&mut st, &p, "ping", 5.0)).collect();
    assert_eq!(many.len(), 9, "10 allowed, 1 used");
}

#[test]
fn a_clock_caused_2050_is_invalid_but_not_an_auth_failure() {
    let p = policy();
    let mut st = GuardState::default();
    let k = grant(&mut st, &p, "ping", 1.0);
    settle(&mut st, &p, k, Outcome::Invalid { code: Some(2050), clock_cause: true }, 1.0);
    assert_eq!(st.auth_failures, 0);
    assert_eq!(st.invalid.len(), 1);
}

#[test]
fn an_expired_reservation_counts_as_unknown_until_it_is_settled() {
    let p = Policy { max_invalid: 2, ..policy() };
    let mut st = GuardState::default();
    let k = grant(&mut st, &p, "ping", 1.0);
    settle(&mut st, &p, k, Outcome::Valid, 1.0);
    let lost = grant(&mut st, &p, "dns-row-add", 2.0); // expires at 47
    st.expire(&p, 50.0);
    assert!(st.in_flight.is_empty());
    assert_eq!(st.invalid.len(), 1);
    assert_eq!(st.invalid[0].code, None);
    assert!(st.refusal(&p, "t", 50.0).is_none());
    // The slow caller settles after all: the real outcome replaces the unknown one.
    settle(&mut st, &p, lost, Outcome::Valid, 51.0);
    assert!(st.invalid.is_empty());
    let gone = grant(&mut st, &p, "ping", 52.0);
    st.expire(&p, 200.0);
    let other = grant(&mut st, &p, "ping", 200.0);
    settle(&mut st, &p, other, invalid(2314), 201.0);
    let m = st.refusal(&p, "t", 202.0).expect("two invalid").message().to_owned();
    assert!(m.contains("1 outcome unknown") && m.contains("1 bad input"), "{m}");
    settle(&mut st, &p, gone, invalid(2100), 203.0);
    assert_eq!(st.invalid.iter().filter(|i| i.code.is_none()).count(), 0);
}

#[test]
fn a_block_answer_records_the_servers_end() {
    let p = policy();
    let mut st = GuardState::default();
    let k = grant(&mut st, &p, "ping", 100.0);
    st.settle(
        &p,
        k,
        &Settlement {
            outcome: invalid(2052),
            command: "ping",
            message: "IP address 127.0.0.1 temporarily blocked (until 99999999999, 120 s)",
            clock: None,
        },
        100.0,
    );
    assert_eq!(st.blocked_until, Some(220.0));
    match st.reserve(&p, &ask("ping", 150.0), 150.0) {
        Admission::Refused { error, .. } => {
            assert_eq!(error.code(), Some(2052));
            assert_eq!(error.retry_after().unwrap().as_secs(), 70);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn absurd_server_timestamps_are_not_clock_evidence() {
    let now = 1_768_473_000.0;
    let mut st = GuardState::default();
    for t in [253_402_300_000i64, i64::MAX, i64::MIN, 0, -1, (now as i64) + 90_000, (now as i64) - 90_000] {
        assert!(!st.learn_clock(Evidence { server_time: t, sent: now - 0.1, received: now }, now), "{t}");
        assert_eq!(st.clock, None);
    }
    assert!(st.learn_clock(Evidence { server_time: now as i64 + 5, sent: now - 0.1, received: now }, now));
    let c = st.clock.unwrap();
    assert!((4.0..=6.1).contains(&c.middle()), "{c:?}");
    // Evidence read out of order, or not finite, is not believed either.
    assert!(!st.learn_clock(Evidence { server_time: now as i64, sent: now, received: now - 1.0 }, now));
    assert!(!st.learn_clock(Evidence { server_time: now as i64, sent: f64::NAN, received: now }, now));
}

#[test]
fn a_poisoned_clock_from_an_old_state_is_dropped_and_ages_out() {
    let p = policy();
    let now = 1_768_473_000.0;
    let mut st = GuardState {
        clock: Some(ClockOffset { low: 2.0e11, high: 2.0e11 + 1.0, at: now - 10.0 }),
        ..GuardState::default()
    };
    match st.reserve(&p, &ask("ping", now), now) {
        Admission::Granted(g) => assert_eq!(g.clock, None),
        other => panic!("{other:?}"),
    }
    assert_eq!(st.clock, None);
    let mut st = GuardState {
        clock: Some(ClockOffset { low: 1.0, high: 2.0, at: now - CLOCK_MAX_AGE - 1.0 }),
        ..GuardState::default()
    };
    st.expire(&p, now);
    assert_eq!(st.clock, None, "stale evidence is not used");
    let mut st = GuardState {
        clock: Some(ClockOffset { low: f64::NAN, high: 2.0, at: now }),
        blocked_until: Some(f64::INFINITY),
        proven_at: Some(f64::NAN),
        ..GuardState::default()
    };
    st.expire(&p, now);
    assert_eq!((st.clock, st.blocked_until, st.proven_at), (None, None, None));
}

#[test]
fn reset_clears_the_stop_the_invalid_answers_and_the_clock() {
    let p = policy();
    let mut st = GuardState::default();
    st.learn_clock(Evidence { server_time: 1000, sent: 999.0, received: 999.5 }, 999.5);
    for _ in 0..3 {
        let k = grant(&mut st, &p, "ping", 1000.0);
        settle(&mut st, &p, k, invalid(2050), 1000.0);
    }
    assert!(st.auth_stop.is_some());
    st.reset(Reset::Guard);
    assert!(st.auth_stop.is_none() && st.invalid.is_empty() && st.clock.is_none() && st.auth_failures == 0);
    assert_eq!(st.requests.count(1000.0, 3600.0), 3, "the budget is the server's and stays");
}

#[test]
fn the_state_stays_bounded_after_many_requests() {
    let p = Policy { hourly_limit: u32::MAX, max_invalid: 0, ..policy() };
    let mut st = GuardState::default();
    let mut now = 0.0;
    for i in 0..100_000u32 {
        now += 0.5;
        let k = grant(&mut st, &p, "ping", now);
        let outcome = if i % 7 == 0 { invalid(2314) } else { Outcome::Valid };
        settle(&mut st, &p, k, outcome, now + 0.1);
    }
    assert!(st.requests.0.len() <= 61, "{}", st.requests.0.len());
    assert!(st.invalid.len() <= INVALID_KEPT);
    assert!(st.in_flight.is_empty());
    let text = serde_json::to_string(&st).unwrap();
    assert!(text.len() < 32 * 1024, "{}", text.len());
    // Clients with other windows on the same account keep the counters bounded too.
    for i in 0..10_000 {
        let q = Policy { window: 1.0 + f64::from(i % 50), ..p.clone() };
        now += 0.01;
        let k = grant(&mut st, &q, "ping", now);
        settle(&mut st, &q, k, Outcome::Valid, now);
    }
    assert!(st.requests.0.len() <= MAX_SLICES);
}

#[test]
fn a_budget_merged_across_windows_never_undercounts() {
    let mut s = Slices::default();
    let mut n = 0u32;
    for i in 0..1000 {
        s.add(f64::from(i) * 0.37, 1.0 + f64::from(i % 13));
        n += 1;
    }
    assert!(s.count(370.0, 10_000.0) >= n);
}

// ---- simulated interleavings ------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum Step {
    /// Caller `i` asks to send; `bad`: the server will judge its request invalid.
    Ask { caller: usize, bad: bool, domain: bool },
    /// Caller `i` gets its answer.
    Answer { caller: usize },
    /// Caller `i`'s request never left (a refused connection).
    Unsent { caller: usize },
    /// Caller `i`'s process dies with its request in flight.
    Crash { caller: usize },
    /// Time passes.
    Wait { secs: f64 },
}

fn steps(callers: usize) -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![
        6 => (0..callers, any::<bool>(), prop::bool::weighted(0.1))
            .prop_map(|(caller, bad, domain)| Step::Ask { caller, bad, domain }),
        5 => (0..callers).prop_map(|caller| Step::Answer { caller }),
        1 => (0..callers).prop_map(|caller| Step::Unsent { caller }),
        1 => (0..callers).prop_map(|caller| Step::Crash { caller }),
        2 => (0.0..200.0f64).prop_map(|secs| Step::Wait { secs }),
    ];
    prop::collection::vec(step, 1..400)
}

/// What the server saw: when it judged each request, and whether invalid.
#[derive(Default)]
struct Server {
    /// When, invalid, a domain check.
    judged: Vec<(f64, bool, bool)>,
}

impl Server {
    fn within(&self, now: f64, window: f64, invalid_only: bool) -> usize {
        self.judged.iter().filter(|(t, bad, _)| now - t < window && (!invalid_only || *bad)).count()
    }

    fn domain_checks(&self, now: f64, window: f64) -> usize {
        self.judged.iter().filter(|(t, _, domain)| now - t < window && *domain).count()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// Whatever the interleaving of concurrent callers, crashes and refused connections, the server never sees more
    /// invalid requests within the window than the allowance, nor more requests than the budgets.
    #[test]
    fn no_interleaving_exceeds_a_limit(
        plan in steps(12),
        max_invalid in 1u32..12,
        hourly in 5u32..60,
        domain_limit in 1u32..5,
        known in any::<bool>(),
    ) {
        let p = Policy {
            hourly_limit: hourly,
            domain_check_limit: domain_limit,
            max_invalid,
            window: 600.0,
            ..policy()
        };
        let mut st = GuardState::default();
        if known {
            st.proven_at = Some(0.0);
        }
        let mut server = Server::default();
        let mut holding: Vec<Option<(u64, bool, usize)>> = vec![None; 12];
        let mut now = 1.0;
        for step in plan {
            match step {
                Step::Ask { caller, bad, domain } => {
                    if holding[caller].is_some() {
                        continue;
                    }
                    let command = if domain { "domain-check" } else { "dns-row-add" };
                    let a = Ask { label: "t", command, expires_at: now + 45.0, pid: caller as u32 };
                    if let Admission::Granted(g) = st.reserve(&p, &a, now) {
                        // Sent at once: the server judges it now.
                        server.judged.push((now, bad, domain));
                        prop_assert!(server.within(now, p.window, true) <= max_invalid as usize,
                            "{} invalid within the window", server.within(now, p.window, true));
                        prop_assert!(server.within(now, p.window, false) <= hourly as usize);
                        prop_assert!(server.domain_checks(now, p.window) <= domain_limit as usize);
                        holding[caller] = Some((g.ticket, bad, server.judged.len() - 1));
                    }
                }
                Step::Answer { caller } => {
                    if let Some((ticket, bad, _)) = holding[caller].take() {
                        let outcome = if bad { invalid(2314) } else { Outcome::Valid };
                        settle(&mut st, &p, ticket, outcome, now);
                    }
                }
                Step::Unsent { caller } => {
                    if let Some((ticket, _, seen)) = holding[caller].take() {
                        // The server never saw it after all.
                        server.judged[seen] = (f64::NEG_INFINITY, false, false);
                        settle(&mut st, &p, ticket, Outcome::NotSent, now);
                    }
                }
                Step::Crash { caller } => {
                    holding[caller] = None;
                }
                Step::Wait { secs } => now += secs,
            }
            prop_assert!(st.in_flight.len() <= MAX_IN_FLIGHT);
            prop_assert!(st.invalid.len() <= INVALID_KEPT);
        }
    }
}

#[test]
fn a_settlement_applied_twice_counts_once() {
    let p = policy();
    let mut st = GuardState::default();
    let k = grant(&mut st, &p, "ping", 1.0);
    settle(&mut st, &p, k, invalid(2050), 2.0);
    settle(&mut st, &p, k, invalid(2050), 2.1);
    assert_eq!((st.invalid.len(), st.auth_failures), (1, 1));
}
