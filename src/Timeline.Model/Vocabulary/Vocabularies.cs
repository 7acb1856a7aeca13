namespace Timeline.Model.Vocabulary;

/// <summary>A term of a closed vocabulary with the one line that explains it.</summary>
public sealed record Term(string Id, string Description);

/// <summary>The closed vocabularies of the timeline: event categories, entity kinds and the roles entities play.</summary>
public static class Vocabularies
{
    public static IReadOnlyList<Term> Categories { get; } =
    [
        new("sanction", "Sanctions a government imposes on a company or country, such as cutting it off from supplies."),
        new("entity-listing", "A company added to a government's restricted-party list, such as the US Entity List."),
        new("export-control", "Export licensing rules and controls on technology, equipment or know-how."),
        new("product-launch", "A product, chip or device released or unveiled to the public."),
        new("corporate", "Deals, investments, partnerships and corporate plans."),
        new("statement", "What officials or executives said in public."),
        new("analysis", "Reports, tests, benchmarks and teardowns by analysts, researchers or testers."),
        new("industry-event", "Conferences, keynotes and trade shows."),
    ];

    public static IReadOnlyList<Term> EntityKinds { get; } =
    [
        new("company", "A business."),
        new("government", "A national government or administration."),
        new("agency", "A government agency or department."),
        new("person", "A named individual."),
        new("product", "A device or product line."),
        new("chip", "A specific chip or system-on-chip."),
        new("technology", "A platform, process or technology family."),
        new("organization", "A non-commercial organization, think tank or news organization."),
        new("event-series", "A recurring conference or event."),
        new("regulation", "A rule or body of rules, such as the Foreign Direct Product Rule."),
        new("list", "An official list of parties, such as the Entity List."),
        new("facility", "A site: a fab, plant, laboratory or data centre, as restricted-party lists name them."),
        new("research-institute", "A university, academy or research institute, as many on the Entity List are."),
    ];

    public static IReadOnlyList<Term> Roles { get; } =
    [
        new("target", "The party a measure is aimed at."),
        new("issuer", "The party that imposes a measure or rule."),
        new("manufacturer", "The party that makes the product or chip."),
        new("designer", "The party that designs the product or chip."),
        new("customer", "The party that buys or orders."),
        new("subject", "What the event is about."),
        new("speaker", "The person or body that made a statement."),
        new("author", "The author of a report or analysis."),
        new("participant", "A party taking part."),
        new("publisher", "The body that published a report, rule or statement."),
        new("supplier", "The party that sells or supplies goods, technology or services to another in the event."),
        new("investor", "The party that puts money into another, or takes a stake in it."),
        new("parent", "The company that owns or controls another party of the event."),
        new("subsidiary", "The company owned or controlled by another party of the event."),
        new("licensor", "The party that grants a licence to its technology, software or patents."),
        new("licensee", "The party that receives a licence, or an export licence, to use or ship something."),
        new("regulator", "The authority that reviews, approves or enforces: a licence decision, a merger review or an investigation."),
    ];

    public static bool IsCategory(string? value) => Contains(Categories, value);

    public static bool IsEntityKind(string? value) => Contains(EntityKinds, value);

    public static bool IsRole(string? value) => Contains(Roles, value);

    public static string List(IReadOnlyList<Term> terms) => string.Join(", ", terms.Select(t => t.Id));

    private static bool Contains(IReadOnlyList<Term> terms, string? value) =>
        value is not null && terms.Any(t => string.Equals(t.Id, value, StringComparison.Ordinal));
}
