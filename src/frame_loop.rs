//! A `requestAnimationFrame` loop that lives as long as the page.

use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

type FrameCallback = Closure<dyn FnMut(f64)>;

/// Calls `tick` with the frame timestamp (ms) on every animation frame, forever.
pub fn every_frame(mut tick: impl FnMut(f64) + 'static) {
    let slot: Rc<RefCell<Option<FrameCallback>>> = Rc::default();
    let again = slot.clone();
    *slot.borrow_mut() = Some(Closure::new(move |ms: f64| {
        tick(ms);
        if let Some(cb) = again.borrow().as_ref() {
            request(cb);
        }
    }));
    if let Some(cb) = slot.borrow().as_ref() {
        request(cb);
    };
}

fn request(cb: &FrameCallback) {
    // Only fails when there is no window, in which case there is nothing to draw.
    let _ = gloo::utils::window().request_animation_frame(cb.as_ref().unchecked_ref());
}
