using Dapper;
using Npgsql;
using Timeline.Model.Store.Engine;
using Timeline.Store.Postgres;

namespace Timeline.Api.Tests;

/// <summary>
/// PostgreSQL only: the search rows the index keeps (tsvectors built in C#), searched with the tsqueries the expressions
/// render to, on a database of its own: the search keeps the SQLite engine's syntax and meaning.
/// </summary>
public sealed class PostgresSearchIndexTests(PostgresSearchIndexTests.Database database) : IClassFixture<PostgresSearchIndexTests.Database>
{
    private readonly string _connectionString = database.ConnectionString;

    /// <summary>A database of the tests' own, with a few events, entities and a source, indexed as writers index them.</summary>
    public sealed class Database : IAsyncLifetime
    {
        public string ConnectionString { get; } = PostgresCluster.Shared.CreateDatabase();

        public Task InitializeAsync() => SeedAsync(ConnectionString);

        public Task DisposeAsync()
        {
            PostgresCluster.Shared.DropDatabase(ConnectionString);
            return Task.CompletedTask;
        }
    }

    internal static async Task SeedAsync(string connectionString)
    {
        await using var connections = PostgresCluster.Connections(connectionString);
        await PostgresMigrator.MigrateAsync(connections, CancellationToken.None);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await connection.ExecuteAsync(
            """
            INSERT INTO entities (id, name, kind, description, created_at, updated_at) VALUES
                ('huawei', 'Huawei', 'company', 'A maker of telephones', 'now', 'now'),
                ('smic', 'SMIC', 'company', NULL, 'now', 'now');
            INSERT INTO entity_aliases (entity_id, ordinal, alias) VALUES ('huawei', 0, '华为'), ('huawei', 1, 'Huawei Technologies');
            INSERT INTO sources (id, title, text, sha256, created_at, updated_at) VALUES
                ('ft', 'Chips <b>report</b>', 'The Kirin 9000S & "others" were made by SMIC.', 'x', 'now', 'now');
            INSERT INTO events (id, date, date_precision, first_day, last_day, title, summary, category, tags, refs, created_at, updated_at) VALUES
                ('launch', '2023-08-29', 2, '2023-08-29', '2023-08-29', 'Huawei unveils the Mate 60 with the Kirin-9000S', 'A surprise launch in Shenzhen.', 'product-launch', '["export-controls","phones"]',
                 '[{"title":"Federal Register","citation":"88 FR 1234","documentNumber":"2023-01234"}]', 'now', 'now'),
                ('cafe', '2023-09-01', 2, '2023-09-01', '2023-09-01', 'Éléphant au café', 'Measuring an elephant in the dark.', 'statement', '[]', '[]', 'now', 'now'),
                ('columns', '2023-09-02', 2, '2023-09-02', '2023-09-02', 'Ends with alpha', 'Beta starts the summary; survival mode.', 'statement', '[]', '[]', 'now', 'now'),
                ('gone', '2023-09-03', 2, '2023-09-03', '2023-09-03', 'Kirin deleted', 'Deleted.', 'statement', '[]', '[]', 'now', 'now');
            UPDATE events SET deleted_at = 'now', deleted_by = 'test' WHERE id = 'gone';
            INSERT INTO event_entities (event_id, entity_id, role, ordinal) VALUES ('launch', 'huawei', 'subject', 0), ('cafe', 'smic', 'subject', 0);
            INSERT INTO citations (event_id, ordinal, source_id, quote, start_offset, end_offset) VALUES ('launch', 0, 'ft', 'were made by SMIC', 1, 5);
            """);
        await using var transaction = await connection.BeginTransactionAsync();
        await PostgresSearchIndex.RefreshEventsAsync(connection, transaction, ["launch", "cafe", "columns", "gone"], CancellationToken.None);
        await PostgresSearchIndex.RefreshEntityAsync(connection, transaction, "huawei", CancellationToken.None);
        await PostgresSearchIndex.RefreshEntityAsync(connection, transaction, "smic", CancellationToken.None);
        await PostgresSearchIndex.RefreshSourceAsync(connection, transaction, "ft", CancellationToken.None);
        await transaction.CommitAsync();
    }

    private Task<List<string>> FindAsync(string q) => FindAsync(_connectionString, q);

    internal static async Task<List<string>> FindAsync(string connectionString, string q)
    {
        Assert.True(SearchQuery.TryParse(q, out var search, out var error), error);
        await using var connection = new NpgsqlConnection(connectionString);
        var sql = $"SELECT e.id FROM events e WHERE e.deleted_at IS NULL AND {PostgresSearchSql.EventMatches("e.seq")} ORDER BY e.id;";
        return (await connection.QueryAsync<string>(sql, new Dictionary<string, object> { [PostgresSearchSql.ParameterName] = PostgresSearchSql.Parameter(search) })).ToList();
    }

    [Theory]
    [InlineData("kirin 9000s", "launch")]
    [InlineData("Kirin-9000S", "launch")]
    [InlineData("\"kirin 9000s\"", "launch")]
    [InlineData("kirin 900*", "launch")]
    [InlineData("\"the kirin 900\"*", "launch")]
    [InlineData("elephant", "cafe")]
    [InlineData("éléphant", "cafe")]
    [InlineData("CAFE", "cafe")]
    [InlineData("华为", "launch")]
    [InlineData("为", "launch")]
    [InlineData("technologies", "launch")]
    [InlineData("2023-01234", "launch")]
    [InlineData("\"88 FR 1234\"", "launch")]
    [InlineData("export", "launch")]
    [InlineData("smic", "cafe launch")]
    [InlineData("smic NOT kirin", "cafe")]
    [InlineData("smic AND mate", "launch")]
    [InlineData("mate OR elephant", "cafe launch")]
    [InlineData("smic NOT \"kirin 9000s\" OR survival", "cafe columns")]
    [InlineData("\"survival mode\"", "columns")]
    [InlineData("\"alpha beta\"", "")]
    [InlineData("alpha beta", "columns")]
    [InlineData("deleted", "")]
    public async Task A_search_finds_what_the_sqlite_engine_finds(string q, string ids) =>
        Assert.Equal(ids.Split(' ', StringSplitOptions.RemoveEmptyEntries), await FindAsync(q));

    [Fact]
    public async Task Records_rank_and_carry_escaped_snippets()
    {
        await using var connections = PostgresCluster.Connections(_connectionString);
        Assert.True(SearchQuery.TryParse("smic OR huawei", out var search, out _));

        var (entities, sources) = await new PostgresTimelineSearch(connections).FindRecordsAsync(search, 1, CancellationToken.None);

        Assert.Equal("huawei", Assert.Single(entities.Items).Id);
        Assert.True(entities.More);
        Assert.Equal("<mark>Huawei</mark>", entities.Items[0].Snippet);
        Assert.Equal("The Kirin 9000S &amp; &quot;others&quot; were made by <mark>SMIC</mark>.", Assert.Single(sources.Items).Snippet);
    }

    [Theory]
    [InlineData("kirin", "\"kirin\"", "'kirin'")]
    [InlineData("Kirin-9000S*", "\"kirin 9000s\"*", "'kirin' <-> '9000s':*")]
    [InlineData("a OR b c", "", "'a' | ('b' & 'c')")]
    [InlineData("a NOT \"b c\" NOT d", "", "'a' & !('b' <-> 'c') & !('d')")]
    [InlineData("华为", "", "'华' <-> '为'")]
    [InlineData("Éléphant", "", "'elephant'")]
    public void An_expression_renders_as_a_tsquery_of_folded_lexemes(string q, string canonical, string tsquery)
    {
        Assert.True(SearchQuery.TryParse(q, out var search, out _));
        if (canonical.Length > 0)
        {
            Assert.Equal(canonical, search.Canonical.ToLowerInvariant());
        }

        Assert.Equal(tsquery, PostgresTsQuery.Render(search));
    }

    [Fact]
    public void A_snippet_marks_each_match_and_a_phrase_whole_and_escapes_the_rest()
    {
        Assert.True(SearchQuery.TryParse("\"survival mode\" OR <b>", out var search, out _));

        var html = SnippetPicker.Html(["Nothing here", "In <b> survival  mode, again survival."], search, 16);

        Assert.Equal("In &lt;<mark>b</mark>&gt; <mark>survival  mode</mark>, again survival.", html);
    }

    [Theory]
    [InlineData("elephant", "Au <mark>&#201;l&#233;phant</mark> caf&#233;")] // an ASCII column without it, then the folded word (escaped as SnippetHtml escapes)
    [InlineData("ELEPH*", "Au <mark>&#201;l&#233;phant</mark> caf&#233;")]
    [InlineData("mode", "A <mark>MODE</mark> of survival")] // any case in an ASCII column
    [InlineData("kirin", "Nothing here")] // no column holds it: the first column with words, from its start
    [InlineData("lephant", "Nothing here")] // inside a word is no match
    public void A_snippet_is_picked_from_the_column_that_holds_the_match(string q, string expected)
    {
        Assert.True(SearchQuery.TryParse(q, out var search, out _));
        var columns = new[] { null, "", "Nothing here", "A MODE of survival", "Au Éléphant café" };
        Assert.Equal(expected, SnippetPicker.Html(columns, search, 16));
    }

    [Fact]
    public async Task Word_signatures_are_the_same_bits_in_CSharp_and_in_the_migrations_SQL_function()
    {
        string[] words = ["kirin", "9000s", "a", "elephant", "cafe", "华", "为", "naïve", "-", new string('x', 300), "ß", "0", "zeta"];
        await using var connection = new NpgsqlConnection(_connectionString);
        foreach (var word in words)
        {
            var sql = await connection.ExecuteScalarAsync<string>("SELECT timeline_words(ARRAY[@word])::text;", new { word });
            Assert.Equal(sql, PostgresSearchWords.Text(PostgresSearchWords.Of([word])));
            Assert.InRange(sql!.Count(b => b == '1'), 1, 3); // three bits, two of which may coincide
        }

        var all = await connection.ExecuteScalarAsync<string>("SELECT timeline_words(@words)::text;", new { words });
        Assert.Equal(all, PostgresSearchWords.Text(PostgresSearchWords.Of(words)));
        Assert.Equal(new string('0', PostgresSearchWords.Bits), await connection.ExecuteScalarAsync<string>("SELECT timeline_words(ARRAY[]::text[])::text;"));
    }

    [Fact]
    public async Task Every_live_events_signature_holds_the_words_of_its_search_row_and_a_search_needs_its_words_bits()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM events e JOIN event_search s ON s.seq = e.seq WHERE e.words IS DISTINCT FROM timeline_words(tsvector_to_array(s.document));"));
        Assert.Equal(3L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM events e JOIN event_search s ON s.seq = e.seq WHERE e.words IS NOT NULL;"));

        // The signature's condition keeps the events that hold the words (folded as the index folds them) and drops one that does not.
        async Task<List<string>> PassingAsync(string q)
        {
            Assert.True(SearchQuery.TryParse(q, out var search, out _));
            var words = PostgresSearchWords.Required(search);
            return (await connection.QueryAsync<string>(
                $"SELECT e.id FROM events e WHERE e.deleted_at IS NULL AND {PostgresSearchWords.Condition("e")} ORDER BY e.id;",
                new Dictionary<string, object> { [PostgresSearchWords.ParameterName] = PostgresSearchWords.Text(PostgresSearchWords.Of(words)) })).ToList();
        }

        Assert.Contains("launch", await PassingAsync("Kirin-9000S"));
        Assert.DoesNotContain("cafe", await PassingAsync("Kirin-9000S"));
        Assert.Contains("cafe", await PassingAsync("ÉLÉPHANT"));
        Assert.Contains("launch", await PassingAsync("华为"));
        Assert.Equal(["cafe", "columns", "launch"], await PassingAsync("huawei OR elephant")); // nothing is certain: every event passes
    }

    [Fact]
    public async Task A_walks_checks_of_each_event_cast_the_searchs_parameters_once_per_statement()
    {
        // A search page walks the timeline and checks each event it passes: its signature, then (for the few that pass)
        // its search row. In a prepared statement's generic plan (what auto-prepared statements run), a parameter cast
        // inside those checks is evaluated for every event: parsing a 512-character bit string twice an event made the
        // walk five times as slow. The casts must sit in InitPlans, evaluated once.
        var sql = $"SELECT e.id FROM events e WHERE e.deleted_at IS NULL AND {PostgresSearchWords.Condition("e")} AND {PostgresSearchSql.EventRowMatches("e.seq")}"
            .Replace("@" + PostgresSearchWords.ParameterName, "$1", StringComparison.Ordinal)
            .Replace("@" + PostgresSearchSql.ParameterName, "$2", StringComparison.Ordinal);
        // A connection of its own (not pooled): the session's setting and prepared statement end with it.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await connection.ExecuteAsync($"SET plan_cache_mode = force_generic_plan; PREPARE walk(text, text) AS {sql};");
        var signature = PostgresSearchWords.Text(PostgresSearchWords.Of(["kirin"]));
        Assert.Equal(["launch"], await connection.QueryAsync<string>($"EXECUTE walk('{signature}', 'kirin');"));

        // Each cast is the output of an InitPlan's Result (InitPlan N (returns $k) / -> Result / Output: ($1)::bit(512)),
        // and nowhere else: not in the filter on the events, nor in the output of the search row's lookup.
        var plan = (await connection.QueryAsync<string>($"EXPLAIN (VERBOSE, COSTS OFF) EXECUTE walk('{signature}', 'kirin');")).ToList();
        var casts = Enumerable.Range(0, plan.Count)
            .Where(i => plan[i].Contains("::bit(512)", StringComparison.Ordinal) || plan[i].Contains("::tsquery", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(2, casts.Count);
        Assert.All(casts, i =>
        {
            Assert.True(i >= 2 && plan[i - 1].Trim() == "->  Result" && plan[i - 2].TrimStart().StartsWith("InitPlan", StringComparison.Ordinal),
                $"a cast evaluated for every event: {plan[i].Trim()}\n{string.Join('\n', plan)}");
        });
    }

    [Theory]
    [InlineData("kirin 9000s", "kirin 9000s")]
    [InlineData("\"export control\"*", "export")]
    [InlineData("\"export control*\"", "control export")]
    [InlineData("lith*", "")]
    [InlineData("smic OR huawei", "")]
    [InlineData("smic OR (smic huawei)", "smic")]
    [InlineData("(smic kirin) OR (kirin huawei)", "kirin")]
    [InlineData("huawei NOT smic", "huawei")]
    [InlineData("华为", "为 华")]
    [InlineData("Éléphant", "elephant")]
    public void A_search_requires_the_words_every_match_holds(string q, string required)
    {
        Assert.True(SearchQuery.TryParse(q, out var search, out _));
        Assert.Equal(
            required.Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal),
            PostgresSearchWords.Required(search).Order(StringComparer.Ordinal));
    }
}

/// <summary>PostgreSQL only: writes that re-index keep the words' counts a rebuild makes, on a database of the test's own.</summary>
public sealed class PostgresSearchRebuildTests : IAsyncLifetime
{
    private readonly string _connectionString = PostgresCluster.Shared.CreateDatabase();

    public Task InitializeAsync() => PostgresSearchIndexTests.SeedAsync(_connectionString);

    public Task DisposeAsync()
    {
        PostgresCluster.Shared.DropDatabase(_connectionString);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_words_counts_after_writes_equal_those_of_a_rebuild_and_a_rebuild_finds_the_same()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        const string Counts = "SELECT term || '=' || documents FROM search_terms WHERE documents > 0 ORDER BY term;";
        var written = (await connection.QueryAsync<string>(Counts)).ToList();
        Assert.Contains("smic=2", written);
        Assert.Contains("kirin=1", written);

        // An entity's new alias reaches its events, and a deleted event leaves the counts.
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await connection.ExecuteAsync("INSERT INTO entity_aliases (entity_id, ordinal, alias) VALUES ('huawei', 2, 'Zorblatt'); UPDATE events SET deleted_at = 'now' WHERE id = 'cafe';", transaction: transaction);
            await PostgresSearchIndex.RefreshEventsOfEntityAsync(connection, transaction, "huawei", CancellationToken.None);
            await PostgresSearchIndex.RefreshEventsAsync(connection, transaction, ["cafe"], CancellationToken.None);
            await transaction.CommitAsync();
        }

        Assert.Equal(["launch"], await PostgresSearchIndexTests.FindAsync(_connectionString, "zorblatt"));
        Assert.Empty(await PostgresSearchIndexTests.FindAsync(_connectionString, "elephant"));
        written = (await connection.QueryAsync<string>(Counts)).ToList();
        Assert.Contains("smic=1", written);

        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await PostgresSearchIndex.RebuildAsync(connection, transaction, CancellationToken.None);
            await transaction.CommitAsync();
        }

        Assert.Equal(written, (await connection.QueryAsync<string>(Counts)).ToList());
        Assert.Equal(["launch"], await PostgresSearchIndexTests.FindAsync(_connectionString, "zorblatt"));
        Assert.Equal(["columns"], await PostgresSearchIndexTests.FindAsync(_connectionString, "\"survival mode\""));
        Assert.Equal(2L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM entity_search;"));
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM source_search;"));
    }

    [Fact]
    public async Task A_vector_at_the_size_limits_goes_in_as_binary_and_as_text_alike()
    {
        // 150,000 distinct short words, each twice: the words and their positions pass what tsvectorrecv takes (1 MB less
        // a byte, with 4 bytes a position) long before the words' text nears 1 MB. The vector stops adding words and
        // positions at that limit, so its binary form goes in (a first load's COPY) and equals its text form (every
        // other writer's).
        var words = Enumerable.Range(0, 150_000).Select(i => $"w{i}").ToList();
        var vector = PostgresSearchRows.Vector([string.Join(' ', words.Concat(words))], [0]);
        Assert.InRange(vector.Lexemes.Count(), 40_000, 140_000);

        var binary = new System.Buffers.ArrayBufferWriter<byte>();
        vector.WriteBinary(binary);
        await using var c = new NpgsqlConnection(_connectionString);
        await c.OpenAsync();
        await c.ExecuteAsync("CREATE TEMP TABLE big (document tsvector);");
        await using (var copy = await c.BeginBinaryImportAsync("COPY big (document) FROM STDIN (FORMAT BINARY)"))
        {
            copy.StartRow();
            copy.Write(binary.WrittenMemory, NpgsqlTypes.NpgsqlDbType.Bytea);
            await copy.CompleteAsync();
        }

        Assert.True(await c.ExecuteScalarAsync<bool>("SELECT document = @Text::tsvector FROM big;", new { Text = vector.ToString() }));
        Assert.Equal(vector.Lexemes.Count(), await c.ExecuteScalarAsync<int>("SELECT length(document) FROM big;"));
    }
}
