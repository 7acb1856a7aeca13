using Dapper;
using Timeline.Store.Postgres;

namespace Timeline.Api.Tests;

/// <summary>
/// PostgreSQL only: pages from a date when the longest live event spans every year the date columns can hold (1000 to
/// 9999; the validator accepts only 1900 to 2199, so these rows are written by SQL). The walks of the events that began
/// before the date go back as far as the longest event lasts, but never before 1000.
/// </summary>
public sealed class PostgresLongestEventTests : IAsyncLifetime
{
    private readonly string _connectionString = PostgresCluster.Shared.CreateDatabase();
    private PostgresConnections _database = null!;

    public async Task InitializeAsync()
    {
        _database = await PostgresCluster.MigratedAsync(_connectionString);
        await using var c = await _database.OpenAsync(CancellationToken.None);
        await c.ExecuteAsync(
            """
            INSERT INTO entities (id, name, kind, created_at, updated_at) VALUES ('acme', 'Acme', 'company', 't', 't');
            INSERT INTO events (id, date, date_precision, end_date, first_day, last_day, title, summary, category, created_at, updated_at) VALUES
                ('forever', '1000', 0, '9999', '1000-01-01', '9999-12-31', 'Forever', 'S', 'analysis', 't', 't'),
                ('medieval', '1200', 0, '2500', '1200-01-01', '2500-12-31', 'Medieval', 'S', 'analysis', 't', 't'),
                ('short', '2020-05-01', 2, NULL, '2020-05-01', '2020-05-01', 'Short', 'S', 'analysis', 't', 't');
            INSERT INTO event_entities (event_id, entity_id, role, ordinal) VALUES
                ('forever', 'acme', 'actor', 0), ('medieval', 'acme', 'actor', 0), ('short', 'acme', 'actor', 0);
            ANALYZE;
            """);
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        PostgresCluster.Shared.DropDatabase(_connectionString);
    }

    [Theory]
    [InlineData("2000", "forever,medieval,short")]
    [InlineData("2021", "forever,medieval")]
    [InlineData("5000", "forever")]
    [InlineData("1000-01-01", "forever,medieval,short")]
    public async Task Events_that_span_the_centuries_reach_every_date(string from, string expected)
    {
        var pages = new PostgresEventPages(_database);
        foreach (var entities in new[] { Array.Empty<string>(), ["acme"] })
        {
            foreach (var order in new[] { EventOrder.Date, EventOrder.DateDescending })
            {
                var filter = new EventFilter(PartialDate.Parse(from), null, [], entities, [], null, null, order, 10, null);
                var page = await pages.ListAsync(filter, null, CancellationToken.None);
                var ids = expected.Split(',');
                Assert.Equal(order == EventOrder.Date ? ids : ids.Reverse(), page.Items.Select(i => i.Id));
            }
        }
    }
}
