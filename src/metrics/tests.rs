use super::*;

#[test]
fn families_and_label_values_come_in_name_order() {
    let names: Vec<_> = FAMILIES.iter().map(|(f, _)| f.name).collect();
    assert!(names.is_sorted(), "{names:?}");
    assert!(PHASES.is_sorted() && SMTP_STATES.is_sorted());
    assert!(Skip::ALL.map(Skip::as_str).is_sorted());
    assert!(Skip::ALL.iter().enumerate().all(|(i, s)| *s as usize == i));
    let outcomes = OUTCOMES_BY_NAME.map(Outcome::as_str);
    assert!(outcomes.is_sorted());
    let mut all = Outcome::ALL.map(Outcome::as_str);
    all.sort();
    assert_eq!(all, outcomes);
}
