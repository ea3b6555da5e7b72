package dev.workloadid.keycloak.it.console;

import org.openqa.selenium.By;
import org.openqa.selenium.ElementClickInterceptedException;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Headless Chromium from the system's packages (Debian: chromium, chromium-driver), driven through
 * its own chromedriver: nothing is downloaded at run time, and the browser is started with the
 * switches that keep it from contacting anything but the loopback Keycloak under test.
 */
final class ConsoleBrowser implements AutoCloseable {

    static final Path CHROMIUM = Path.of(System.getProperty("wi.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("wi.chromedriver", "/usr/bin/chromedriver"));
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final Path profile;
    private final Path screenshots;
    private final ChromeDriver driver;
    private final WebDriverWait wait;
    private int shot;

    /** Whether the system browser and its driver are installed (else the console test is skipped). */
    static boolean installed() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    ConsoleBrowser(Path screenshots) throws IOException {
        this.screenshots = Files.createDirectories(screenshots);
        try (Stream<Path> old = Files.list(screenshots)) {
            old.filter(p -> p.toString().endsWith(".png")).forEach(p -> p.toFile().delete()); // a previous run's
        }
        this.profile = Files.createTempDirectory("wi-console-chromium-");
        // The driver is named explicitly, so Selenium Manager (which could download one) never runs.
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile()).addArguments(
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions", "--window-size=1400,1000",
                "--user-data-dir=" + profile);
        this.driver = new ChromeDriver(service, options);
        this.wait = new WebDriverWait(driver, WAIT);
    }

    WebDriver driver() {
        return driver;
    }

    void open(String url) {
        driver.get(url);
    }

    static By css(String selector) {
        return By.cssSelector(selector);
    }

    static By xpath(String xpath) {
        return By.xpath(xpath);
    }

    /** A link or button (or tab) whose visible text is exactly {@code text}. */
    static By named(String text) {
        return By.xpath("//*[(self::a or self::button) and normalize-space()=" + xpathLiteral(text) + "]");
    }

    /** Waits until the element is on screen (whatever the console re-renders meanwhile). */
    void waitFor(By by) {
        wait.until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    /**
     * Clicks the element as soon as it can be clicked. Found afresh on every try: the console
     * re-renders while it loads, which leaves earlier references stale.
     */
    void click(By by) {
        wait.ignoring(StaleElementReferenceException.class).ignoring(ElementClickInterceptedException.class)
                .until(d -> {
                    WebElement element = ExpectedConditions.elementToBeClickable(by).apply(d);
                    if (element == null) {
                        return false;
                    }
                    ((JavascriptExecutor) d).executeScript("arguments[0].scrollIntoView({block: 'center'});", element);
                    element.click();
                    return true;
                });
    }

    void click(String text) {
        click(named(text));
    }

    /** Replaces a field's text the way a person does (select all, type), so React sees every change. */
    void type(By by, String text) {
        wait.ignoring(StaleElementReferenceException.class).until(d -> {
            WebElement field = ExpectedConditions.elementToBeClickable(by).apply(d);
            if (field == null) {
                return false;
            }
            ((JavascriptExecutor) d).executeScript("arguments[0].scrollIntoView({block: 'center'});", field);
            field.click();
            field.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
            field.sendKeys(text);
            return true;
        });
    }

    /** Picks an option of one of the console's select fields (the toggle button has the field's id). */
    void choose(String toggleId, String option) {
        click(css("button[id='" + toggleId + "']"));
        String literal = xpathLiteral(option);
        click(xpath("//*[@role='listbox' or @role='menu']//button[normalize-space()=" + literal + "]"
                + " | //*[@role='option' and normalize-space()=" + literal + "]"));
    }

    /** Waits until the page shows {@code text} (an alert, a list entry) and returns the page's text. */
    String waitForText(String text) {
        wait.until(d -> bodyText().contains(text));
        return bodyText();
    }

    /**
     * Closes the alerts still on screen, clicks (a save button) and waits until an alert shows
     * {@code text}; returns the page's text. Closing first keeps an earlier step's alert from counting.
     */
    String clickAndWaitFor(By element, String text) {
        JavascriptExecutor js = (JavascriptExecutor) driver;
        js.executeScript("document.querySelectorAll('.pf-v5-c-alert-group.pf-m-toast .pf-v5-c-alert__action button')"
                + ".forEach(b => b.click());");
        wait.until(d -> ((Number) js.executeScript(
                "return document.querySelectorAll('.pf-v5-c-alert-group.pf-m-toast .pf-v5-c-alert').length;")).intValue() == 0);
        click(element);
        wait.until(d -> (Boolean) js.executeScript("return [...document.querySelectorAll("
                + "'.pf-v5-c-alert-group.pf-m-toast .pf-v5-c-alert')].some(a => a.innerText.includes(arguments[0]));", text));
        return bodyText();
    }

    String bodyText() {
        return (String) ((JavascriptExecutor) driver).executeScript("return document.body.innerText;");
    }

    /** Saves a numbered screenshot (the steps of a run, or the moment a step failed). */
    Path screenshot(String name) {
        try {
            Path file = screenshots.resolve(String.format("%02d-%s.png", ++shot, name));
            Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
            return file;
        } catch (IOException | RuntimeException e) {
            System.out.println("[console] screenshot " + name + " failed: " + e);
            return null;
        }
    }

    static String xpathLiteral(String text) {
        return text.contains("'") ? "\"" + text + "\"" : "'" + text + "'";
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temp profile left behind is harmless
            }
        }
    }
}
