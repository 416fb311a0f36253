// The share panel (templates/campaigns/_share.html): the phone's own share sheet where the browser
// has one (Web Share API), and copying the link (Clipboard API). Without JavaScript the plain links
// and the link's field stay, and these buttons stay hidden.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-share-url]").forEach((panel) => {
    const url = panel.dataset.shareUrl;
    const title = panel.dataset.shareTitle;
    const sheet = panel.querySelector("[data-share-sheet]");
    const copy = panel.querySelector("[data-share-copy]");
    const status = panel.querySelector("[data-share-status]");
    const field = panel.querySelector("input[readonly]");

    const say = (text) => {
      // Emptied first, so the same words said twice are announced twice.
      status.textContent = "";
      window.setTimeout(() => {
        status.textContent = text;
      }, 100);
    };

    const copyLink = async () => {
      try {
        await navigator.clipboard.writeText(url);
        say(status.dataset.copied);
      } catch {
        // No clipboard (or refused): the link selected in its field, for the supporter to copy.
        field.focus();
        field.select();
        say(status.dataset.copyFailed);
      }
    };

    if (typeof navigator.share === "function") {
      sheet.hidden = false;
      sheet.addEventListener("click", async () => {
        try {
          await navigator.share({ title, text: title, url });
        } catch (error) {
          // Closing the sheet is not a failure; anything else falls back to copying.
          if (error.name !== "AbortError") await copyLink();
        }
      });
    }
    if (navigator.clipboard) {
      copy.hidden = false;
      copy.addEventListener("click", copyLink);
    }
  });
});
