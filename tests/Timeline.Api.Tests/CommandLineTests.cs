using Timeline.Api.Operations;

namespace Timeline.Api.Tests;

/// <summary>Which arguments of a command line are configuration, and which are the command's operands.</summary>
public class CommandLineTests
{
    [Fact]
    public void A_path_operand_is_never_read_as_configuration_wherever_the_options_stand()
    {
        string[] args = ["backup", "/data/backups/x.db", "--Timeline:DatabasePath=/data/timeline.db"];

        Assert.Equal(["--Timeline:DatabasePath=/data/timeline.db"], Cli.ConfigurationArguments(args));
        Assert.Equal(["/data/backups/x.db"], OperationsCli.Operands(args, "backup"));
    }

    [Fact]
    public void An_option_and_its_value_stay_together()
    {
        string[] args = ["--urls", "http://127.0.0.1:5300", "restore", "/tmp/copy.db", "--Timeline:DatabasePath", "/tmp/timeline.db"];

        Assert.Equal(["--urls", "http://127.0.0.1:5300", "--Timeline:DatabasePath", "/tmp/timeline.db"], Cli.ConfigurationArguments(args));
        Assert.Equal(["/tmp/copy.db"], OperationsCli.Operands(args, "restore"));
    }

    [Fact]
    public void Key_equals_value_without_dashes_is_configuration_but_a_path_with_an_equals_sign_is_not()
    {
        string[] args = ["Timeline:DatabasePath=/tmp/t.db", "backup", "/tmp/a=b.db"];

        Assert.Equal(["Timeline:DatabasePath=/tmp/t.db"], Cli.ConfigurationArguments(args));
        Assert.Equal(["/tmp/a=b.db"], OperationsCli.Operands(args, "backup"));
    }

    [Fact]
    public void Without_a_command_every_argument_is_configuration()
    {
        string[] args = ["--urls", "http://127.0.0.1:5300", "/odd"];

        Assert.Equal(args, Cli.ConfigurationArguments(args));
    }
}
