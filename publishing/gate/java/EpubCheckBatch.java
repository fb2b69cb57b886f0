import com.adobe.epubcheck.api.EPUBLocation;
import com.adobe.epubcheck.api.EpubCheck;
import com.adobe.epubcheck.api.MasterReport;
import com.adobe.epubcheck.messages.Message;
import com.adobe.epubcheck.util.FeatureEnum;
import com.adobe.epubcheck.util.ReportingLevel;
import java.io.BufferedReader;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * EPUBCheck on many EPUBs in one JVM: its command line checks one file per start, and the start
 * is most of the time. Reads one path per line on standard input and answers each with one line
 * of JSON on standard output: the counts and the messages, at the command line's "-u" level
 * (usage messages included). The first line out names the EPUBCheck version.
 */
public class EpubCheckBatch {

  /** Collects what EPUBCheck reports; MasterReport counts each message by its severity. */
  static final class Collecting extends MasterReport {
    final StringBuilder messages = new StringBuilder();

    @Override
    public void message(Message message, EPUBLocation location, Object... args) {
      if (messages.length() > 0) {
        messages.append(',');
      }
      messages.append("{\"ID\":").append(quote(message.getID().toString()))
          .append(",\"severity\":").append(quote(message.getSeverity().toString()))
          .append(",\"message\":").append(quote(message.getMessage(args)))
          .append(",\"path\":").append(quote(location == null || location.getPath() == null ? "" : location.getPath()))
          .append(",\"line\":").append(location == null ? -1 : location.getLine())
          .append(",\"column\":").append(location == null ? -1 : location.getColumn())
          .append('}');
    }

    @Override
    public void info(String resource, FeatureEnum feature, String value) {}

    @Override
    public int generate() {
      return 0;
    }

    @Override
    public void initialize() {}
  }

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    // EPUBCheck prints progress of its own: keep standard output for the answers.
    System.setOut(new PrintStream(OutputStream.nullOutputStream()));
    out.println("{\"version\":" + quote(EpubCheck.version()) + "}");
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String path; (path = in.readLine()) != null; ) {
      Collecting report = new Collecting();
      report.setReportingLevel(ReportingLevel.Usage);
      report.setEpubFileName(path);
      String failure = null;
      try {
        new EpubCheck(new File(path), report).doValidate();
      } catch (Throwable error) {
        failure = error.toString();
      }
      out.println("{\"path\":" + quote(path) + ",\"fatal\":" + report.getFatalErrorCount()
          + ",\"error\":" + report.getErrorCount() + ",\"warning\":" + report.getWarningCount()
          + ",\"usage\":" + report.getUsageCount() + ",\"failure\":" + (failure == null ? "null" : quote(failure))
          + ",\"messages\":[" + report.messages + "]}");
    }
  }

  static String quote(String text) {
    StringBuilder quoted = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"': quoted.append("\\\""); break;
        case '\\': quoted.append("\\\\"); break;
        case '\n': quoted.append("\\n"); break;
        case '\r': quoted.append("\\r"); break;
        case '\t': quoted.append("\\t"); break;
        default:
          if (c < 0x20) {
            quoted.append(String.format("\\u%04x", (int) c));
          } else {
            quoted.append(c);
          }
      }
    }
    return quoted.append('"').toString();
  }
}
