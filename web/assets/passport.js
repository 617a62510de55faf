// Improves the pages when JavaScript runs; every page works without it.
import { initAll } from './nhsuk-frontend.min.js'

document.body.classList.add('js-enabled', 'nhsuk-frontend-supported')
initAll()

// Live progress: an element marked data-live="<milliseconds>" is fetched
// again from the same address at that interval and replaced in place when it
// has changed, so a move's page and the dashboard follow the workflow
// without a reload. Nothing is replaced while someone is typing in it. A
// page whose progress has ended marks the element data-live-ended instead:
// it replaces the live one once and the refreshing stops.
const live = document.querySelector('[data-live]')
if (live) {
  const every = Math.max(1000, Number(live.dataset.live) || 5000)
  let busy = false
  const refresh = async () => {
    const focused = document.activeElement
    if (busy || document.hidden || (live.contains(focused) && focused.matches('input, textarea, select'))) {
      return
    }
    busy = true
    try {
      const res = await fetch(location.href, { headers: { 'X-Live-Refresh': '1' }, credentials: 'same-origin' })
      if (!res.ok || res.redirected) {
        return
      }
      const next = new DOMParser().parseFromString(await res.text(), 'text/html').querySelector('[data-live], [data-live-ended]')
      if (next && next.innerHTML !== live.innerHTML) {
        live.innerHTML = next.innerHTML
        live.dispatchEvent(new CustomEvent('passport:refreshed', { bubbles: true }))
      }
      if (next && next.hasAttribute('data-live-ended')) {
        clearInterval(timer)
      }
    } catch {
      // The next tick tries again.
    } finally {
      busy = false
    }
  }
  const timer = setInterval(refresh, every)
}
