using Timeline.Model.Store.Engine;

namespace Timeline.Api.Tests;

/// <summary>
/// The search budget weighs each word by how many events the index holds for it, so it must fold a word as the index
/// does (lower case, diacritics removed). The server runs in invariant globalization mode, where string.Normalize does
/// not decompose: the fold must not depend on it.
/// </summary>
public class SearchBudgetFoldTests
{
    [Theory]
    [InlineData("Café", "cafe")]
    [InlineData("cafe\u0301", "cafe")]
    [InlineData("Xú", "xu")]
    [InlineData("ZHÌJŪN", "zhijun")]
    [InlineData("Kirin", "kirin")]
    [InlineData("华为", "华为")]
    public void A_word_is_folded_as_the_index_folds_it(string word, string folded) =>
        Assert.Equal(folded, SearchText.Fold(word));
}
